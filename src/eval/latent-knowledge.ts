import { clusterAccuracy, kmeans, nmi } from './probes/kmeans.js';
import { knnAccuracy } from './probes/knn.js';
import type { LabelledSet } from './probes/labelled-set.js';
import { linearProbe } from './probes/logistic.js';

/**
 * What the latent space knows of the labels it never saw, from the posterior means: a linear probe
 * (multinomial logistic regression fitted on the training set's means, scored on the test set's), k-NN
 * (k = 5, the training means as neighbours of each test mean), and k-means with as many clusters as
 * classes, scored after the best one-to-one matching of clusters to classes, with NMI.
 */
export interface LatentKnowledge {
  linearProbe: number; // test accuracy
  knn: number; // test accuracy, k = KNN_K
  kmeans: { accuracy: number; nmi: number }; // on the test means
  trainImages: number;
  testImages: number;
}

export const KNN_K = 5;

export function latentKnowledge(train: LabelledSet, test: LabelledSet, d: number, classes: number, seed: number): LatentKnowledge {
  const clusters = kmeans(test.x, test.n, d, classes, seed);
  return {
    linearProbe: linearProbe(train, test, d, classes).accuracy,
    knn: knnAccuracy(train, test, d, KNN_K),
    kmeans: { accuracy: clusterAccuracy(clusters.assignments, test.labels, classes, classes), nmi: nmi(clusters.assignments, test.labels, classes, classes) },
    trainImages: train.n,
    testImages: test.n,
  };
}
