"""scikit-learn reference for the t-SNE rows of `npm run bench` (bench/tsne.ts), printed as one JSON line.

Usage: sklearn_tsne.py <manifest.json>. The manifest lists cases, each {"points": n, "dim": d, "input":
path of n x d float32, "ours": {label: path of n x 2 float32, ...}}. For each case this runs scikit-learn's
Barnes-Hut TSNE with vaelab's settings (perplexity 30, PCA init, learning rate 'auto', 1000 iterations,
angle 0.5 = our theta) and scores its embedding and each of ours with the same trustworthiness (k = 10), so
the scores compare like for like. scikit-learn keeps its default threads (OpenMP, all cores); their number is
reported. bench/tsne.ts runs this after its own embeddings, so the two never share the cores.
"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.manifold import TSNE, trustworthiness
from sklearn.utils._openmp_helpers import _openmp_effective_n_threads

K = 10  # trustworthiness neighbours, as the issue asks


def run_case(case):
    n, dim = case['points'], case['dim']
    x = np.fromfile(case['input'], dtype=np.float32).reshape(n, dim)
    tsne = TSNE(n_components=2, perplexity=30, init='pca', learning_rate='auto', n_iter=1000,
                method='barnes_hut', angle=0.5, random_state=0)
    t0 = time.perf_counter()
    y = tsne.fit_transform(x)
    seconds = time.perf_counter() - t0
    ours = {label: trustworthiness(x, np.fromfile(path, dtype=np.float32).reshape(n, 2), n_neighbors=K)
            for label, path in case['ours'].items()}
    return {'points': n, 'seconds': seconds, 'trustworthiness': trustworthiness(x, y, n_neighbors=K),
            'klDivergence': float(tsne.kl_divergence_), 'oursTrustworthiness': ours}


if __name__ == '__main__':
    with open(sys.argv[1]) as f:
        manifest = json.load(f)
    results = [run_case(case) for case in manifest['cases']]
    print(json.dumps({'sklearn': sklearn.__version__, 'threads': _openmp_effective_n_threads(), 'cases': results}))
