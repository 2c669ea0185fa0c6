/**
 * The statistics behind behavioural baselines, kept small and exact.
 *
 * - Welford's online algorithm (Welford 1962; Knuth TAOCP vol. 2, §4.2.2) for the mean and
 *   variance of per-minute request counts: numerically stable, O(1) memory.
 * - Good–Turing estimate of the probability that the next observation is a value never
 *   seen before: N1/N, the share of observations that were singletons (Good 1953). With
 *   add-one smoothing, (N1 + 1) / (N + 1), so it is 1 for an empty history and never 0.
 * - Cantelli's inequality (the one-sided Chebyshev bound): for any distribution with mean
 *   μ and variance σ², P(X − μ ≥ kσ) ≤ 1 / (1 + k²). Request rates are bursty and
 *   heavy-tailed, so a Gaussian tail would understate how often large counts happen; the
 *   bound holds whatever the distribution.
 */

export interface Welford {
  n: number;
  mean: number;
  /** Sum of squared deviations from the mean. */
  m2: number;
}

export function welford(): Welford {
  return { n: 0, mean: 0, m2: 0 };
}

export function welfordAdd(w: Welford, x: number): void {
  w.n++;
  const d = x - w.mean;
  w.mean += d / w.n;
  w.m2 += d * (x - w.mean);
}

/** Sample variance (n − 1); 0 with fewer than two samples. */
export function welfordVariance(w: Welford): number {
  return w.n > 1 ? w.m2 / (w.n - 1) : 0;
}

/** Good–Turing with add-one: probability that the next value is new. */
export function newValueProbability(observations: number, singletons: number): number {
  return Math.min(1, (singletons + 1) / (observations + 1));
}

/** Cantelli's upper bound on P(X ≥ x) for mean μ, standard deviation σ > 0. */
export function cantelliTail(x: number, mean: number, sd: number): number {
  if (x <= mean || sd <= 0) return 1;
  const k = (x - mean) / sd;
  return 1 / (1 + k * k);
}

/** The smallest count whose Cantelli bound is at most p: μ + σ·√(1/p − 1). */
export function cantelliThreshold(p: number, mean: number, sd: number): number {
  return mean + sd * Math.sqrt(1 / p - 1);
}
