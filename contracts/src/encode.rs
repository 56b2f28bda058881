//! Calldata encoding: arkworks BN254 values to EVM words and ABI-encoded calls.
//!
//! Word formats follow EIP-196/197: a G1 point is (x, y), a G2 point is
//! (x.c1, x.c0, y.c1, y.c0) — imaginary part first — and the point at infinity is all zeros.
//! A proof is the 8 words A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y.

use alloy_dyn_abi::DynSolValue;
use alloy_primitives::{keccak256, U256};
use ark_bn254::{Bn254, Fq, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField};
use ark_groth16::Proof;

/// The 8 calldata words of one Groth16 proof.
pub type ProofWords = [U256; 8];

/// A scalar-field element as a big-endian word.
pub fn fr_to_word(x: &Fr) -> U256 {
    U256::from_be_slice(&x.into_bigint().to_bytes_be())
}

/// A base-field element as a big-endian word.
pub fn fq_to_word(x: &Fq) -> U256 {
    U256::from_be_slice(&x.into_bigint().to_bytes_be())
}

/// A word as a scalar-field element, or `None` if it is not canonical (>= r).
pub fn word_to_fr(w: U256) -> Option<Fr> {
    let bytes = w.to_be_bytes::<32>();
    let x = Fr::from_be_bytes_mod_order(&bytes);
    (fr_to_word(&x) == w).then_some(x)
}

/// The scalar-field modulus r as a word.
pub fn fr_modulus() -> U256 {
    U256::from_be_slice(&Fr::MODULUS.to_bytes_be())
}

/// A G1 point as (x, y); infinity is (0, 0) as EIP-196 expects.
pub fn g1_to_words(p: &G1Affine) -> [U256; 2] {
    match p.xy() {
        Some((x, y)) => [fq_to_word(&x), fq_to_word(&y)],
        None => [U256::ZERO; 2],
    }
}

/// A G2 point in EIP-197 order (x.c1, x.c0, y.c1, y.c0); infinity is all zeros.
pub fn g2_to_words(p: &G2Affine) -> [U256; 4] {
    match p.xy() {
        Some((x, y)) => [
            fq_to_word(&x.c1),
            fq_to_word(&x.c0),
            fq_to_word(&y.c1),
            fq_to_word(&y.c0),
        ],
        None => [U256::ZERO; 4],
    }
}

/// A Groth16 proof as its 8 calldata words.
pub fn proof_to_words(proof: &Proof<Bn254>) -> ProofWords {
    let [ax, ay] = g1_to_words(&proof.a);
    let [bx1, bx0, by1, by0] = g2_to_words(&proof.b);
    let [cx, cy] = g1_to_words(&proof.c);
    [ax, ay, bx1, bx0, by1, by0, cx, cy]
}

/// Public inputs as words.
pub fn inputs_to_words(inputs: &[Fr]) -> Vec<U256> {
    inputs.iter().map(fr_to_word).collect()
}

/// The 4-byte selector of a function or error signature such as `"ProofInvalid()"`.
pub fn selector(signature: &str) -> [u8; 4] {
    let h = keccak256(signature.as_bytes());
    [h[0], h[1], h[2], h[3]]
}

pub(crate) fn uint(w: U256) -> DynSolValue {
    DynSolValue::Uint(w, 256)
}

pub(crate) fn uint_array(ws: &[U256]) -> Vec<DynSolValue> {
    ws.iter().copied().map(uint).collect()
}

/// Calldata for any function: selector of `signature` followed by the ABI-encoded `args`.
pub fn function_calldata(signature: &str, args: Vec<DynSolValue>) -> Vec<u8> {
    let mut data = selector(signature).to_vec();
    data.extend(DynSolValue::Tuple(args).abi_encode_params());
    data
}

/// Calldata of `verifyProof(uint256[8], uint256[l])`, l = `inputs.len()`.
pub fn verify_proof_calldata(proof: &ProofWords, inputs: &[U256]) -> Vec<u8> {
    let signature = format!("verifyProof(uint256[8],uint256[{}])", inputs.len());
    function_calldata(
        &signature,
        vec![
            DynSolValue::FixedArray(uint_array(proof)),
            DynSolValue::FixedArray(uint_array(inputs)),
        ],
    )
}

/// Calldata of `verifyBatch(uint256[8][], uint256[l][])`.
///
/// # Errors
/// [`crate::ContractsError::RoundShape`] if the input vectors do not all have length `l`.
pub fn verify_batch_calldata(
    proofs: &[ProofWords],
    inputs: &[Vec<U256>],
    l: usize,
) -> Result<Vec<u8>, crate::ContractsError> {
    if let Some(bad) = inputs.iter().position(|v| v.len() != l) {
        return Err(crate::ContractsError::RoundShape(format!(
            "input vector {bad} has {} entries, expected l = {l}",
            inputs[bad].len()
        )));
    }
    let signature = format!("verifyBatch(uint256[8][],uint256[{l}][])");
    Ok(function_calldata(
        &signature,
        vec![
            DynSolValue::Array(
                proofs
                    .iter()
                    .map(|p| DynSolValue::FixedArray(uint_array(p)))
                    .collect(),
            ),
            DynSolValue::Array(
                inputs
                    .iter()
                    .map(|v| DynSolValue::FixedArray(uint_array(v)))
                    .collect(),
            ),
        ],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::CurveGroup;
    use ark_ff::UniformRand;
    use ark_std::rand::SeedableRng;

    #[test]
    fn field_words_round_trip_and_reject_non_canonical() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        for _ in 0..32 {
            let x = Fr::rand(&mut rng);
            assert_eq!(word_to_fr(fr_to_word(&x)), Some(x));
            // x + r is the aliasing encoding every verifier must reject.
            assert_eq!(word_to_fr(fr_to_word(&x) + fr_modulus()), None);
        }
        assert_eq!(word_to_fr(fr_modulus()), None);
        assert_eq!(
            fr_modulus().to_string(),
            "21888242871839275222246405745257275088548364400416034343698204186575808495617"
        );
    }

    #[test]
    fn g2_words_put_imaginary_part_first() {
        let g = G2Affine::generator();
        let w = g2_to_words(&g);
        let (x, y) = g.xy().expect("generator is finite");
        assert_eq!(
            w,
            [
                fq_to_word(&x.c1),
                fq_to_word(&x.c0),
                fq_to_word(&y.c1),
                fq_to_word(&y.c0)
            ]
        );
        // EIP-197's published generator: x.c1 (imaginary) starts with 0x198e9393.
        assert_eq!(format!("{:x}", w[0]).get(..8), Some("198e9393"));
        let inf = (g.into_group() - g.into_group()).into_affine();
        assert_eq!(g2_to_words(&inf), [U256::ZERO; 4]);
    }

    #[test]
    fn selectors_match_known_values() {
        // transfer(address,uint256) is the best-known selector there is.
        assert_eq!(
            selector("transfer(address,uint256)"),
            [0xa9, 0x05, 0x9c, 0xbb]
        );
    }
}
