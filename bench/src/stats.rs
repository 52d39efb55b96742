//! Small statistics over per-round values.

use crate::scenario::Better;

/// The `q` quantile of sorted samples (nearest rank), NaN if empty.
pub fn percentile_sorted(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len());
    f64::from(sorted[rank - 1])
}

/// The finite values, sorted.
fn finite_sorted(values: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// The `q` quantile of the finite values, interpolated; NaN if none.
pub fn quantile(values: &[f64], q: f64) -> f64 {
    let v = finite_sorted(values);
    if v.is_empty() {
        return f64::NAN;
    }
    let pos = q * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

pub fn median(values: &[f64]) -> f64 {
    quantile(values, 0.5)
}

/// The best of the finite values, in the metric's direction.
pub fn best(values: &[f64], better: Better) -> f64 {
    let v = finite_sorted(values);
    match better {
        Better::Lower => v.first().copied().unwrap_or(f64::NAN),
        Better::Higher => v.last().copied().unwrap_or(f64::NAN),
    }
}

/// How much better `ours` is than `theirs`: above 1 means better.
pub fn ratio(ours: f64, theirs: f64, better: Better) -> f64 {
    match better {
        Better::Lower if ours == 0.0 && theirs == 0.0 => 1.0,
        Better::Lower => theirs / ours,
        Better::Higher => ours / theirs,
    }
}

/// Half the interquartile range, relative to the median.
pub fn relative_half_iqr(values: &[f64]) -> f64 {
    let m = median(values);
    if !m.is_finite() || m == 0.0 {
        return 0.0;
    }
    (quantile(values, 0.75) - quantile(values, 0.25)) / m.abs() / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_uses_nearest_rank() {
        let v = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
        assert_eq!(percentile_sorted(&v, 0.5), 50.0);
        assert_eq!(percentile_sorted(&v, 0.99), 100.0);
        assert_eq!(percentile_sorted(&v, 0.0), 10.0);
        assert!(percentile_sorted(&[], 0.5).is_nan());
    }

    #[test]
    fn quantiles_skip_missing_values() {
        let v = [3.0, f64::NAN, 1.0, 2.0];
        assert_eq!(median(&v), 2.0);
        assert_eq!(quantile(&v, 0.25), 1.5);
        assert!(median(&[f64::NAN]).is_nan());
    }

    #[test]
    fn best_and_ratio_follow_the_direction() {
        let v = [5.0, 3.0, 4.0];
        assert_eq!(best(&v, Better::Lower), 3.0);
        assert_eq!(best(&v, Better::Higher), 5.0);

        // Above 1 always means "ours is better".
        assert_eq!(ratio(50.0, 100.0, Better::Lower), 2.0);
        assert_eq!(ratio(200.0, 100.0, Better::Higher), 2.0);
        assert_eq!(ratio(0.0, 0.0, Better::Lower), 1.0);
        assert!(ratio(0.0, 1.0, Better::Lower).is_infinite());
    }

    #[test]
    fn half_iqr_is_relative_to_the_median() {
        let v = [90.0, 100.0, 100.0, 100.0, 110.0];
        assert_eq!(relative_half_iqr(&v), 0.0);
        let v = [80.0, 90.0, 100.0, 110.0, 120.0];
        assert!((relative_half_iqr(&v) - 0.1).abs() < 1e-12);
    }
}
