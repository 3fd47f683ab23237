//! "Did you mean" for keys and codes typed slightly wrong.

/// The candidate closest to `input`, if it is close enough to be a
/// plausible typo (at most a third of the input's length in edits).
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (input.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(input, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// Edit distance over characters, counting a swap of two neighbours as
/// one edit (optimal string alignment), since `nmae` is one typo away
/// from `name`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
        assert_eq!(edit_distance("nmae", "name"), 1);
    }

    #[test]
    fn suggests_only_near_candidates() {
        let keys = ["initials", "index_no", "name"];
        assert_eq!(closest("inital", keys), Some("initials"));
        assert_eq!(closest("index", keys), None);
        assert_eq!(
            closest("us-est-1", ["us-east-1", "us-west-1"]),
            Some("us-east-1")
        );
        assert_eq!(closest("zzz", keys), None);
    }
}
