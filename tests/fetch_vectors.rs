//! Storage keys and SCALE decoders checked against real finney node bytes.
//!
//! Test vectors copied from opentensor/bittensor `tests/helpers/integration_websocket_data.py`
//! (v10.2.0, commit bb526e6d): recorded answers of finney nodes to `state_getStorageAt`,
//! `state_getKeysPaged` and `state_queryStorageAt` for SubtensorModule items. Only the key and
//! value bytes are taken; `finney_last_update_netuid1.hex` is the recorded value of
//! `LastUpdate(1)` from the same file.

use std::path::Path;
use yuma::chain::keys::{self, hex, unhex};
use yuma::chain::scale::decode;

const PREFIX: &str = "0x658faa385070e074c85bf6b568cf0555";

#[test]
fn pallet_and_item_prefixes() {
    assert_eq!(
        hex(&keys::prefix("LastUpdate")),
        format!("{PREFIX}696e262a16e52255a69d8acd79354146")
    );
    assert_eq!(
        hex(&keys::prefix("Weights")),
        format!("{PREFIX}a1e7036061f484bc3048a64b64e35ec4")
    );
    assert_eq!(
        hex(&keys::prefix("Bonds")),
        format!("{PREFIX}5641285262b8f970e4cbaafbff8d6ab0")
    );
    assert_eq!(
        hex(&keys::prefix("NetworksAdded")),
        format!("{PREFIX}0e30450fc4d507a846032a7fa65d9a43")
    );
}

#[test]
fn identity_keys_and_values() {
    // SubnetworkN(1) = 0x0004 (1024 uids).
    let k = keys::by_u16("SubnetworkN", 1);
    assert_eq!(
        hex(&k),
        format!("{PREFIX}a1048e9d244171852dfe8db314dc68ca0100")
    );
    assert_eq!(
        decode::<u16>(&unhex("0x0004").unwrap(), "SubnetworkN").unwrap(),
        1024
    );
    // Tempo(23) = 0xe803.
    let k = keys::by_u16("Tempo", 23);
    assert_eq!(
        hex(&k),
        format!("{PREFIX}7641384bb339f3758acddfd7053d33171700")
    );
    assert_eq!(
        decode::<u16>(&unhex("0xe803").unwrap(), "Tempo").unwrap(),
        1000
    );
    // Weights(23, 10) = [(10, 65535)]; Bonds(23, 0) = [].
    let k = keys::by_u16_u16("Weights", 23, 10);
    assert_eq!(
        hex(&k),
        format!("{PREFIX}a1e7036061f484bc3048a64b64e35ec417000a00")
    );
    let w: Vec<(u16, u16)> = decode(&unhex("0x040a00ffff").unwrap(), "Weights").unwrap();
    assert_eq!(w, vec![(10, 65535)]);
    let k = keys::by_u16_u16("Bonds", 23, 0);
    assert_eq!(
        hex(&k),
        format!("{PREFIX}5641285262b8f970e4cbaafbff8d6ab017000000")
    );
    let b: Vec<(u16, u16)> = decode(&unhex("0x00").unwrap(), "Bonds").unwrap();
    assert!(b.is_empty());
    // NetworksAdded(1) = true.
    assert_eq!(
        hex(&keys::by_u16("NetworksAdded", 1)),
        format!("{PREFIX}0e30450fc4d507a846032a7fa65d9a430100")
    );
    assert!(decode::<bool>(&[1], "NetworksAdded").unwrap());
    assert_eq!(
        keys::netuid_of(&keys::by_u16("NetworksAdded", 23)),
        Some(23)
    );
}

#[test]
fn blake2_128_concat_account_keys() {
    // Uids(14, 5Cf…) = 29 and Uids(23, …) = 5.
    let cases = [
        (14u16, "1a33474e4a857009da52aaa4080f176465f99c09763e03b9cd5ee038cec4093e",
         "aab1b4e78e1ea8305462ee53b3686dc80e005d3e588dc49748e3395ac2bc5a2343741a33474e4a857009da52aaa4080f176465f99c09763e03b9cd5ee038cec4093e",
         "0x1d00", 29u16),
        (23, "4af7598952f87683204a2a0c2266f941a74899bd69b0ce56e42a82820f689446",
         "aab1b4e78e1ea8305462ee53b3686dc817003e9947bb89c47cd7ad643c5d30c0e6954af7598952f87683204a2a0c2266f941a74899bd69b0ce56e42a82820f689446",
         "0x0500", 5),
    ];
    for (netuid, account, key, value, uid) in cases {
        let hk: [u8; 32] = unhex(account).unwrap().try_into().unwrap();
        assert_eq!(hex(&keys::uids(netuid, &hk)), format!("{PREFIX}{key}"));
        assert_eq!(decode::<u16>(&unhex(value).unwrap(), "Uids").unwrap(), uid);
    }
}

#[test]
fn last_update_vector_of_a_real_subnet() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node/finney_last_update_netuid1.hex");
    let text = std::fs::read_to_string(&path).unwrap();
    let v: Vec<u64> = decode(&unhex(text.trim()).unwrap(), "LastUpdate").unwrap();
    assert_eq!(v.len(), 1024);
    assert_eq!(&v[..3], &[2543521, 2541467, 3013814]);
    assert_eq!(v[1023], 2543405);
    assert_eq!(v.iter().sum::<u64>(), 2735390246);
    // One byte short: refused, not guessed.
    let bytes = unhex(text.trim()).unwrap();
    assert!(decode::<Vec<u64>>(&bytes[..bytes.len() - 1], "LastUpdate").is_err());
}

#[test]
fn twox64_concat_and_timelocked_keys() {
    // twox64("SubtensorModule" item keys use twox128 = two xxh64 lanes; twox64 is the first).
    let k = keys::timelocked(10, 7);
    assert!(hex(&k).starts_with(&hex(&keys::timelocked_prefix(10))));
    assert_eq!(keys::timelocked_epoch(&k), Some(7));
    let lane0 = &keys::prefix("LastUpdate")[16..24];
    let twox = keys::twox64_concat(b"LastUpdate");
    assert_eq!(&twox[..8], lane0, "twox64 = the first lane of twox128");
}
