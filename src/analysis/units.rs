//! The one rule that turns a fraction into the chain's integer units:
//! `round-half-even(x · scale)`, computed exactly on the f64's binary value (no intermediate
//! rounding), e.g. `kappa = 0.5` → round-half-even(32767.5) = 32768; `bonds_moving_average =
//! 0.9` (scale 10⁶) → 900000. u16 fractions (kappa, bonds_penalty, alpha_low/high, weights
//! before max-upscaling) use scale 65535; `bonds_moving_average` 10⁶; `tao_weight` 2⁶⁴ − 1;
//! stakes are given in TAO and use scale 10⁹ (rao).

/// Why a value cannot be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UnitError(pub String);

/// `round-half-even(x · scale)` exactly; `x` must be finite and ≥ 0, the result ≤ `max`.
pub fn fraction_to_units(x: f64, scale: u128, max: u128) -> Result<u128, UnitError> {
    if !x.is_finite() || x < 0.0 {
        return Err(UnitError(format!("{x}: expected a finite value ≥ 0")));
    }
    if x == 0.0 {
        return Ok(0);
    }
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    // x = m · 2^e exactly.
    let (m, e) = if exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), exp - 1075)
    };
    let too_big = || UnitError(format!("{x}: × {scale} is above {max}"));
    let p = u128::from(m).checked_mul(scale).ok_or_else(too_big)?;
    let value = if e >= 0 {
        if e >= 128 || p.leading_zeros() < e as u32 {
            return Err(too_big());
        }
        p << e
    } else {
        let s = (-e) as u32;
        if s >= 128 {
            0 // x · scale < 2^-127·p… far below ½ for any p < 2^117
        } else {
            let q = p >> s;
            let rem = p & ((1u128 << s) - 1);
            let half = 1u128 << (s - 1);
            if rem > half || (rem == half && q & 1 == 1) {
                q + 1
            } else {
                q
            }
        }
    };
    if value > max {
        return Err(too_big());
    }
    Ok(value)
}

/// A u16 fraction (scale 65535).
pub fn u16_fraction(x: f64) -> Result<u16, UnitError> {
    fraction_to_units(x, 65_535, 65_535).map(|v| v as u16)
}

/// TAO → rao (scale 10⁹, round-half-even).
pub fn tao_to_rao(x: f64) -> Result<u64, UnitError> {
    fraction_to_units(x, 1_000_000_000, u128::from(u64::MAX)).map(|v| v as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_half_to_even_exactly() {
        assert_eq!(u16_fraction(0.5).unwrap(), 32768); // 32767.5 → even
        assert_eq!(u16_fraction(1.0).unwrap(), 65535);
        assert_eq!(u16_fraction(0.0).unwrap(), 0);
        assert_eq!(fraction_to_units(2.5, 1, 10).unwrap(), 2);
        assert_eq!(fraction_to_units(3.5, 1, 10).unwrap(), 4);
        assert_eq!(
            fraction_to_units(0.9, 1_000_000, 1_000_000).unwrap(),
            900_000
        );
        assert_eq!(tao_to_rao(1.5).unwrap(), 1_500_000_000);
        assert!(u16_fraction(1.5).is_err());
        assert!(u16_fraction(-0.1).is_err());
        assert!(u16_fraction(f64::NAN).is_err());
        let max = u128::from(u64::MAX);
        assert_eq!(fraction_to_units(1.0, max, max).unwrap(), max);
    }
}
