//! Counter-based randomness: a number is a hash of where it is used (seed, day, campaign, ...),
//! so the same inputs always give the same number, whatever order requests or facts come in.
//! splitmix64 is all the sandbox needs; it is dependency-free and bit-identical everywhere.

const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// The splitmix64 finaliser: a bijective avalanche of 64 bits.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hashes one more component into a key; chaining `(seed, date, campaign, ...)` gives each use
/// its own independent random stream.
pub fn chain(key: u64, x: u64) -> u64 {
    mix(key ^ mix(x.wrapping_add(GAMMA)))
}

/// A uniform number in `[0, 1)` from the 53 high bits of a hash.
pub fn unit(h: u64) -> f64 {
    (h >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A splitmix64 stream started at a key: the n-th draw is `mix(key + n·γ)`.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// The stream at `key` (usually built with [`chain`]).
    pub fn at(key: u64) -> Self {
        Self(key)
    }

    /// The stream for one use (`stream`) of a seed.
    pub fn new(seed: u64, stream: u64) -> Self {
        Self(chain(seed, stream))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GAMMA);
        mix(self.0)
    }

    /// A number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        unit(self.next_u64())
    }

    /// A number in `0..n` (`n > 0`); the modulo bias is negligible for the small `n` used here.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// 32 characters of `[0-9a-f]`, the shape of an Adsterra token.
    pub fn token(&mut self) -> String {
        format!("{:016x}{:016x}", self.next_u64(), self.next_u64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draws(mut rng: Rng) -> Vec<u64> {
        (0..4).map(|_| rng.next_u64()).collect()
    }

    #[test]
    fn same_seed_same_numbers_other_stream_other_numbers() {
        assert_eq!(draws(Rng::new(7, 1)), draws(Rng::new(7, 1)));
        assert_ne!(draws(Rng::new(7, 1)), draws(Rng::new(7, 2)));
        assert_ne!(draws(Rng::new(7, 1)), draws(Rng::new(8, 1)));
    }

    #[test]
    fn tokens_look_like_adsterra_tokens_and_units_stay_in_range() {
        let mut rng = Rng::new(42, 0);
        let token = rng.token();
        assert_eq!(token.len(), 32);
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert!((0..1000).all(|_| (0.0..1.0).contains(&rng.unit())));
    }
}
