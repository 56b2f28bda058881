//! Typed rendering of the Solidity sources from a verifying key (askama).

use alloy_primitives::U256;
use ark_bn254::{Bn254, G1Affine, G2Affine};
use ark_groth16::VerifyingKey;
use askama::Template;
use zkfl_circuits::{commit::empty_chunk_hash, field::fr_to_be_bytes, keys, Shape};

use crate::encode::{g1_to_words, g2_to_words, selector};
use crate::revert::{SIG_NOT_IN_FIELD, SIG_PROOF_INVALID};
use crate::ContractsError;

/// File name of the generated verifier.
pub const VERIFIER_FILE: &str = "ZkflVerifier.sol";
/// File name of the registry.
pub const REGISTRY_FILE: &str = "ZkflRoundRegistry.sol";

/// The registry source. It takes n and l from the verifier it inherits, so it is the same
/// for every shape and needs no rendering.
pub const REGISTRY_SOURCE: &str = include_str!("../sol/ZkflRoundRegistry.sol");

fn hex_word(w: U256) -> String {
    format!("0x{}", hex::encode(w.to_be_bytes::<32>()))
}

/// A G1 point as two Solidity hex literals.
struct G1Lit {
    x: String,
    y: String,
}

impl From<&G1Affine> for G1Lit {
    fn from(p: &G1Affine) -> Self {
        let [x, y] = g1_to_words(p);
        Self {
            x: hex_word(x),
            y: hex_word(y),
        }
    }
}

/// A G2 point as four Solidity hex literals in EIP-197 order (x1 = x.c1 is the imaginary part).
struct G2Lit {
    x1: String,
    x0: String,
    y1: String,
    y0: String,
}

impl From<&G2Affine> for G2Lit {
    fn from(p: &G2Affine) -> Self {
        let [x1, x0, y1, y0] = g2_to_words(p);
        Self {
            x1: hex_word(x1),
            x0: hex_word(x0),
            y1: hex_word(y1),
            y0: hex_word(y0),
        }
    }
}

/// One unrolled term of the input MSM: public input `index` multiplies IC(`ic`).
struct Term {
    index: usize,
    ic: usize,
    /// Calldata offset of the input inside `uint256[l] input`.
    offset: usize,
    /// Offset of its scalar accumulator in the batch scratch area (slot 0 is S).
    offset_next: usize,
}

#[derive(Template)]
#[template(path = "ZkflVerifier.sol", escape = "none")]
struct VerifierTemplate {
    slots: usize,
    chunk: usize,
    empty_chunk_hash: String,
    num_inputs: usize,
    input_bytes: usize,
    scalar_bytes: usize,
    vk_digest: String,
    err_proof_invalid: String,
    err_not_in_field: String,
    alpha: G1Lit,
    neg_beta: G2Lit,
    neg_gamma: G2Lit,
    neg_delta: G2Lit,
    ic: Vec<G1Lit>,
    terms: Vec<Term>,
}

/// An error selector left-aligned in a word, as `mstore(0, SEL); revert(0, 4 + ...)` needs.
fn selector_word(signature: &str) -> String {
    let mut w = [0u8; 32];
    w[..4].copy_from_slice(&selector(signature));
    format!("0x{}", hex::encode(w))
}

/// Renders `ZkflVerifier.sol` for the chunk circuit of `shape`.
///
/// # Errors
/// [`ContractsError::VkShape`] if the key does not have l = 2n + 7 public inputs;
/// [`ContractsError::Render`] if askama fails.
pub fn render_verifier(vk: &VerifyingKey<Bn254>, shape: &Shape) -> Result<String, ContractsError> {
    let slots = shape.slots;
    let l = shape.num_public_inputs();
    let got = vk.gamma_abc_g1.len().saturating_sub(1);
    if got != l {
        return Err(ContractsError::VkShape {
            slots,
            expected: l,
            got,
        });
    }
    let neg = |p: &G2Affine| -*p;
    let t = VerifierTemplate {
        slots,
        chunk: shape.chunk,
        empty_chunk_hash: format!(
            "0x{}",
            hex::encode(fr_to_be_bytes(&empty_chunk_hash(shape)))
        ),
        num_inputs: l,
        input_bytes: 32 * l,
        scalar_bytes: 32 * (l + 1),
        vk_digest: hex::encode(keys::vk_digest(vk)),
        err_proof_invalid: selector_word(SIG_PROOF_INVALID),
        err_not_in_field: selector_word(SIG_NOT_IN_FIELD),
        alpha: (&vk.alpha_g1).into(),
        neg_beta: (&neg(&vk.beta_g2)).into(),
        neg_gamma: (&neg(&vk.gamma_g2)).into(),
        neg_delta: (&neg(&vk.delta_g2)).into(),
        ic: vk.gamma_abc_g1.iter().map(G1Lit::from).collect(),
        terms: (0..l)
            .map(|i| Term {
                index: i,
                ic: i + 1,
                offset: 32 * i,
                offset_next: 32 * (i + 1),
            })
            .collect(),
    };
    t.render().map_err(|source| ContractsError::Render {
        template: VERIFIER_FILE,
        source,
    })
}

/// Both Solidity sources for one shape, as (file name, contents).
///
/// # Errors
/// As [`render_verifier`].
pub fn render_sources(
    vk: &VerifyingKey<Bn254>,
    shape: &Shape,
) -> Result<Vec<(String, String)>, ContractsError> {
    Ok(vec![
        (VERIFIER_FILE.to_string(), render_verifier(vk, shape)?),
        (REGISTRY_FILE.to_string(), REGISTRY_SOURCE.to_string()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::{AffineRepr, CurveGroup};

    fn vk_with_inputs(l: usize) -> VerifyingKey<Bn254> {
        let g1 = G1Affine::generator();
        let g2 = G2Affine::generator();
        let times = |k: u64| (g1 * ark_bn254::Fr::from(k)).into_affine();
        VerifyingKey {
            alpha_g1: times(2),
            beta_g2: g2,
            gamma_g2: (g2 * ark_bn254::Fr::from(3u64)).into_affine(),
            delta_g2: (g2 * ark_bn254::Fr::from(5u64)).into_affine(),
            gamma_abc_g1: (0..=l as u64).map(|i| times(7 + i)).collect(),
        }
    }

    #[test]
    fn rejects_a_key_of_another_shape() {
        let err = render_verifier(&vk_with_inputs(2 * 3 + 7), &Shape::new(8, 4))
            .expect_err("n = 3 key, n = 8 requested");
        assert!(
            matches!(
                err,
                ContractsError::VkShape {
                    slots: 8,
                    expected: 23,
                    got: 13
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn bakes_every_key_element_in_eip197_order() {
        let vk = vk_with_inputs(2 * 2 + 7);
        let shape = Shape::new(2, 4);
        let sol = render_verifier(&vk, &shape).expect("render");
        assert!(sol.contains("uint256 public constant NUM_INPUTS = 11;"));
        assert!(sol.contains("uint256[11] calldata input"));
        let [x1, ..] = g2_to_words(&-vk.delta_g2);
        assert!(sol.contains(&format!("NEG_DELTA_X1 = {};", hex_word(x1))));
        let [x, y] = g1_to_words(&vk.gamma_abc_g1[11]);
        assert!(sol.contains(&format!("IC11_X = {};", hex_word(x))));
        assert!(sol.contains(&format!("IC11_Y = {};", hex_word(y))));
        assert!(!sol.contains("IC12_X"));
        assert!(sol.contains(&hex::encode(keys::vk_digest(&vk))));
        let empty = hex::encode(fr_to_be_bytes(&empty_chunk_hash(&shape)));
        assert!(sol.contains(&format!("EMPTY_UPDATE_CHUNK_HASH = 0x{empty};")));
        // Deterministic: the same key renders the same source.
        assert_eq!(sol, render_verifier(&vk, &shape).expect("render"));
    }
}
