//! The raw CIDv1 of a file, against vectors computed from the multiformats specs
//! (PROTOCOL.md §6.2): `b` ‖ base32(0x01 ‖ 0x55 ‖ 0x12 ‖ 0x20 ‖ SHA-256(bytes)). Each is what
//! `ipfs add --cid-version 1 --raw-leaves` gives the file (one block).

use zkfl_circuits::cid::{raw_cid, ModelFile, ModelFileError, UNIXFS_V1_2025_CHUNK};

const VECTORS: &[(&[u8], &str, &str)] = &[
    (
        b"",
        "0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
    ),
    (
        b"hello world",
        "0xb94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9",
        "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e",
    ),
    (
        b"zkfl\n",
        "0xca1cdad67b50f32a0e63cadb6c8c79b205ae91b574429dc29eb784419549dca1",
        "bafkreigkdtnnm62q6mva4y6k3nwiy6nsawxjdnluiko4fhvxqrazkso4ue",
    ),
];

#[test]
fn raw_cids_match_the_spec_vectors() {
    for (bytes, sha256, cid) in VECTORS {
        let m = ModelFile::of(bytes);
        assert_eq!(m.sha256, *sha256);
        assert_eq!(m.raw_cid, *cid);
        assert_eq!(m.bytes, bytes.len() as u64);
        assert_eq!(m.single_block_cid(), Some(*cid));
        m.check().unwrap();
        m.matches(bytes).unwrap();
    }
    let digest = [0u8; 32];
    assert!(raw_cid(&digest).starts_with("bafkrei"));
}

#[test]
fn a_multi_block_file_has_no_single_block_cid_and_other_bytes_are_named() {
    let big = vec![7u8; UNIXFS_V1_2025_CHUNK as usize + 1];
    let m = ModelFile::of(&big);
    assert_eq!(
        m.single_block_cid(),
        None,
        "a raw CID is not a multi-block file's IPFS CID"
    );
    let one_block = ModelFile::of(&big[..UNIXFS_V1_2025_CHUNK as usize]);
    assert!(one_block.single_block_cid().is_some());

    let rec = ModelFile::of(b"hello world");
    assert!(matches!(
        rec.matches(b"hello worle"),
        Err(ModelFileError::Differs {
            what: "its SHA-256",
            ..
        })
    ));
    assert!(matches!(
        rec.matches(b"hello"),
        Err(ModelFileError::Differs {
            what: "its size",
            ..
        })
    ));
    let forged = ModelFile {
        raw_cid: VECTORS[0].2.into(),
        ..rec
    };
    assert!(matches!(forged.check(), Err(ModelFileError::Record(_))));
}
