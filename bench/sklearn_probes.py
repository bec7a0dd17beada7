"""scikit-learn reference for the latent-probe rows of `npm run bench` (bench/evaluation.ts), one JSON line.

Usage: sklearn_probes.py <manifest.json>. The manifest names the training and test posterior means (float32,
row-major n x dim), their labels (uint8) and the number of classes. On the same features as vaelab's probes:
  - the linear probe: StandardScaler, then LogisticRegression(C=1, multinomial, lbfgs, max_iter=100), scored on
    the test means (vaelab minimises the same objective divided by n);
  - k-NN: KNeighborsClassifier(5), Euclidean, scored on the test means;
  - k-means on the test means: KMeans(n_clusters=classes, n_init=4, k-means++), accuracy after the best one-to-one
    matching of clusters to classes (scipy's linear_sum_assignment) and NMI (arithmetic mean, as vaelab).
"""
import json
import sys
import time

import numpy as np
import sklearn
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import normalized_mutual_info_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler


def cluster_accuracy(assigned, labels, k, classes):
    counts = np.zeros((k, classes))
    np.add.at(counts, (assigned, labels), 1)
    rows, cols = linear_sum_assignment(-counts)
    return counts[rows, cols].sum() / len(labels)


def main(path):
    with open(path) as f:
        m = json.load(f)
    dim, classes = m['dim'], m['classes']
    xtr = np.fromfile(m['trainMeans'], dtype=np.float32).reshape(-1, dim).astype(np.float64)
    xte = np.fromfile(m['testMeans'], dtype=np.float32).reshape(-1, dim).astype(np.float64)
    ytr = np.fromfile(m['trainLabels'], dtype=np.uint8)
    yte = np.fromfile(m['testLabels'], dtype=np.uint8)
    t0 = time.perf_counter()
    scaler = StandardScaler().fit(xtr)
    probe = LogisticRegression(C=1.0, max_iter=100).fit(scaler.transform(xtr), ytr)
    linear = probe.score(scaler.transform(xte), yte)
    knn = KNeighborsClassifier(n_neighbors=5).fit(xtr, ytr).score(xte, yte)
    km = KMeans(n_clusters=classes, n_init=4, random_state=0).fit(xte)
    seconds = time.perf_counter() - t0
    print(json.dumps({
        'sklearn': sklearn.__version__,
        'linearProbe': linear,
        'knn': knn,
        'kmeans': {'accuracy': cluster_accuracy(km.labels_, yte, classes, classes),
                   'nmi': normalized_mutual_info_score(yte, km.labels_)},
        'seconds': seconds,
    }))


if __name__ == '__main__':
    main(sys.argv[1])
