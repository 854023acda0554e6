//! One epoch from a node: the reads at S (= post-state of B−1) and S_B, in a handful of
//! batched round trips, assembled into a `Snapshot` and a `Recorded` (CHAIN_EXPORT.md §6).

use super::assemble::{commit_blocks, fit, recorded_vec, Expiry};
use super::emission::{estimate_emission, pin_emission, Pinned};
use super::keys::{self, storage_index};
use super::resets::{self, ResetReads};
use super::rpc::{At, Node};
use super::scale::{self, Account, TimelockedCommit};
use super::subnet::{bad, opt, read_b, read_pending, read_s, rows, val, Batch};
use super::{walk, ChainError, LEGACY_SPEC, MAX_SPEC, MIN_SPEC};
use crate::recorded::{Recorded, RecordedMechanism};
use crate::snapshot::{Layout, MechanismInput, Snapshot};
use serde_json::{json, Map, Value};

/// What the caller allows.
#[derive(Clone, Debug, Default)]
pub struct FetchOptions {
    /// Fetch under a runtime newer than [`MAX_SPEC`] (a warning goes into `source`).
    pub allow_newer_runtime: bool,
}

/// One fetched epoch.
#[derive(Clone, Debug)]
pub struct Fetched {
    pub snapshot: Snapshot,
    pub recorded: Recorded,
    /// `LastMechansimStepBlock` at S: the subnet's previous successful epoch (0 = none).
    pub previous_epoch: u64,
}

/// Refuses runtimes outside 422–425 (newer only with the flag: then a warning).
fn check_runtime(spec: u32, block: u64, opts: &FetchOptions) -> Result<Option<String>, ChainError> {
    if spec < MIN_SPEC {
        return Err(ChainError::Refused(format!(
            "block {block} runs under runtime spec_version {spec}, older than {MIN_SPEC}: its epoch (pre-mechanism/pre-dynamic-tempo storage) is not covered; pick a block under spec {MIN_SPEC}-{MAX_SPEC}"
        )));
    }
    if spec > MAX_SPEC {
        if !opts.allow_newer_runtime {
            return Err(ChainError::Refused(format!(
                "block {block} runs under runtime spec_version {spec}, newer than the {MAX_SPEC} this tool was checked against: rerun with --allow-newer-runtime to fetch it anyway (recorded as a warning)"
            )));
        }
        return Ok(Some(format!(
            "runtime spec_version {spec} is newer than {MAX_SPEC}: storage layout and epoch semantics assumed unchanged"
        )));
    }
    Ok(None)
}

async fn hash_of(node: &Node, block: u64) -> Result<At, ChainError> {
    match node.block_hash(block).await? {
        Some(at) => Ok(at),
        None => Err(ChainError::Refused(format!(
            "block {block} is not on the node yet (head is {}): pick an older block or --last",
            node.head().await?
        ))),
    }
}

/// Fetches the epoch that ran at `block` for `netuid`.
pub async fn fetch_epoch(
    node: &Node,
    netuid: u16,
    block: u64,
    opts: &FetchOptions,
) -> Result<Fetched, ChainError> {
    if block == 0 {
        return Err(ChainError::Refused("block 0 runs no epoch".into()));
    }
    let (hp, hb) = futures_util::try_join!(hash_of(node, block - 1), hash_of(node, block))?;
    let spec = node.spec_version(&hp).await?;
    let newer = check_runtime(spec, block, opts)?;
    let (s, sb, next) = futures_util::try_join!(
        read_s(node, netuid, spec, &hp),
        read_b(node, netuid, &hb),
        node.block_hash(block + 1)
    )?;
    if !s.exists {
        return Err(ChainError::Refused(format!(
            "netuid {netuid} does not exist at block {} (NetworksAdded is false): check the netuid, or list the subnets with --all-subnets",
            block - 1
        )));
    }
    if sb.last_step != block {
        return Err(
            walk::not_an_epoch(node, netuid, block, sb.last_step, s.hyper.tempo, spec).await,
        );
    }
    if s.n == 0 {
        return Err(ChainError::Refused(format!(
            "netuid {netuid} has no uids at block {}: nothing to fetch",
            block - 1
        )));
    }
    if s.mechs == 0 || s.mechs > 16 {
        return Err(bad(format!(
            "MechanismCountCurrent({netuid}) = {} at block {}: expected 1..16",
            s.mechs,
            block - 1
        )));
    }
    let n = usize::from(s.n);
    let mechs: Vec<u16> = (0..s.mechs).map(|m| storage_index(netuid, m)).collect();
    let expiry = Expiry::new(
        spec,
        block,
        netuid,
        s.hyper.tempo,
        s.epoch_index,
        s.reveal_period,
    );
    let reveal_key = expiry.reveal_key();

    // Round 2: per-uid and per-mechanism storage at S, the stakes, the timelocked keys at S_B.
    let mut b = Batch::default();
    let r_keys = b.range((0..s.n).map(|u| keys::by_u16_u16("Keys", netuid, u)));
    let r_bar = b.range((0..s.n).map(|u| keys::by_u16_u16("BlockAtRegistration", netuid, u)));
    let r_mech: Vec<_> = mechs
        .iter()
        .map(|&idx| {
            (
                b.range((0..s.n).map(|u| keys::by_u16_u16("Weights", idx, u))),
                b.range((0..s.n).map(|u| keys::by_u16_u16("Bonds", idx, u))),
                b.add(keys::by_u16("LastUpdate", idx)),
                reveal_key.map(|e| b.add(keys::timelocked(idx, e))),
            )
        })
        .collect();
    let i_owner = s.owner_hotkey.map(|hk| b.add(keys::uids(netuid, &hk)));
    let i_reset_on = b.add(resets::on_key(netuid));
    let args = scale::selective_metagraph_args(netuid, &scale::STAKE_INDEXES);
    let prefixes: Vec<Vec<u8>> = mechs
        .iter()
        .map(|&idx| keys::timelocked_prefix(idx))
        .collect();
    let tl_keys = futures_util::future::try_join_all(prefixes.iter().map(|p| node.keys(p, &hb)));
    let (v, stakes, tl_keys) = futures_util::try_join!(
        node.query(&b.0, &hp),
        node.runtime_call("SubnetInfoRuntimeApi_get_selective_metagraph", &args, &hp),
        tl_keys
    )?;
    let stakes = scale::selective_stakes(&stakes)
        .map_err(bad)?
        .ok_or_else(|| {
            ChainError::Refused(format!(
                "netuid {netuid} does not exist at block {}",
                block - 1
            ))
        })?;
    if stakes.netuid != netuid || stakes.alpha.len() != n || stakes.tao.len() != n {
        return Err(bad(format!(
            "get_selective_metagraph at block {}: netuid {} with {}/{} stakes, expected netuid {netuid} with n = {n}",
            block - 1,
            stakes.netuid,
            stakes.alpha.len(),
            stakes.tao.len()
        )));
    }
    let hotkeys: Vec<Option<Account>> = v[r_keys]
        .iter()
        .map(|x| opt(x, "Keys"))
        .collect::<Result<_, _>>()?;
    let bar: Vec<u64> = v[r_bar.clone()]
        .iter()
        .zip(&hotkeys)
        .map(|(x, hk)| {
            Ok(if hk.is_some() {
                val(x, 0u64, "BlockAtRegistration")?
            } else {
                0
            })
        })
        .collect::<Result<_, ChainError>>()?;
    let reset_on_s: bool = val(&v[i_reset_on], false, "BondsResetOn")?;
    let mut owner_uid: Option<u16> = match i_owner {
        Some(i) => opt(&v[i], "Uids")?,
        None => None,
    };

    // Round 3: v2 commit queues at S; everything at S_B.
    let mut c = Batch::default();
    let r_v2: Vec<_> = mechs
        .iter()
        .map(|&idx| {
            c.range(
                hotkeys
                    .iter()
                    .flatten()
                    .map(|hk| keys::weight_commits(idx, hk)),
            )
        })
        .collect();
    let mut d = Batch::default();
    let r_bar_b = d.range((0..s.n).map(|u| keys::by_u16_u16("BlockAtRegistration", netuid, u)));
    let reset_reads = ResetReads::add(&mut d, netuid, &hotkeys);
    let mut revealed: Vec<Vec<usize>> = Vec::new();
    let mut per_mech_b = Vec::new();
    for (m, &idx) in mechs.iter().enumerate() {
        let mut uids = Vec::new();
        if let Some(i) = r_mech[m].3 {
            for (who, ..) in
                val::<Vec<TimelockedCommit>>(&v[i], Vec::new(), "TimelockedWeightCommits")?
            {
                uids.extend((0..n).filter(|&u| hotkeys[u] == Some(who)));
            }
        }
        uids.sort_unstable();
        uids.dedup();
        let r_w = d.range(
            uids.iter()
                .map(|&u| keys::by_u16_u16("Weights", idx, u as u16)),
        );
        let r_bonds = d.range((0..s.n).map(|u| keys::by_u16_u16("Bonds", idx, u)));
        let i_inc = d.add(keys::by_u16("Incentive", idx));
        let i_lu = d.add(keys::by_u16("LastUpdate", idx));
        let r_tl = d.range(tl_keys[m].iter().cloned());
        per_mech_b.push((r_w, r_bonds, i_inc, i_lu, r_tl));
        revealed.push(uids);
    }
    let mut warnings: Vec<String> = newer.into_iter().collect();
    let owner_changed = sb.owner_hotkey != s.owner_hotkey;
    let i_owner_b = match (owner_changed, sb.owner_hotkey) {
        (true, Some(hk)) => Some(d.add(keys::uids(netuid, &hk))),
        _ => None,
    };
    let (vc, vd) = futures_util::try_join!(node.query(&c.0, &hp), node.query(&d.0, &hb))?;
    if owner_changed {
        owner_uid = match i_owner_b {
            Some(i) => opt(&vd[i], "Uids")?,
            None => None,
        };
        warnings.push(
            "SubnetOwnerHotkey differs between B-1 and B: the owner at B is used (a change by conviction at B, or by B's extrinsics)".into(),
        );
    }

    let mut inputs = Vec::new();
    let mut rec_mechs = Vec::new();
    for (m, &idx) in mechs.iter().enumerate() {
        let (r_w, r_b, i_lu, _) = &r_mech[m];
        let (r_wb, r_bb, i_inc, i_lub, r_tl) = &per_mech_b[m];
        let mut weights = rows(&v[r_w.clone()], "Weights")?;
        let mut last_update = fit(val(&v[*i_lu], Vec::<u64>::new(), "LastUpdate")?, n, 0);
        let lu_b = fit(val(&vd[*i_lub], Vec::<u64>::new(), "LastUpdate")?, n, 0);
        for (&u, row) in revealed[m].iter().zip(rows(&vd[r_wb.clone()], "Weights")?) {
            weights[u] = row;
            if !s.hyper.commit_reveal_enabled {
                last_update[u] = lu_b[u];
            }
        }
        let mut queues = vec![None; n];
        let registered: Vec<usize> = (0..n).filter(|&u| hotkeys[u].is_some()).collect();
        for (&u, x) in registered.iter().zip(&vc[r_v2[m].clone()]) {
            queues[u] = opt(x, "WeightCommits")?;
        }
        let mut timelocked = Vec::new();
        for (key, x) in tl_keys[m].iter().zip(&vd[r_tl.clone()]) {
            if let Some(e) = keys::timelocked_epoch(key) {
                timelocked.push((e, val(x, Vec::new(), "TimelockedWeightCommits")?));
            }
        }
        inputs.push(MechanismInput {
            last_update,
            commit_block: commit_blocks(&hotkeys, &queues, &timelocked, block, expiry),
            weights,
            bonds: rows(&v[r_b.clone()], "Bonds")?,
        });
        let incentive = val(&vd[*i_inc], Vec::<u16>::new(), "Incentive")?;
        rec_mechs.push(RecordedMechanism {
            incentive: recorded_vec(incentive, n, &format!("Incentive({idx})"), &mut warnings),
            bonds: Some(rows(&vd[r_bb.clone()], "Bonds")?),
            server_emission: None,
        });
    }
    let reregistered: Vec<u16> = vd[r_bar_b]
        .iter()
        .enumerate()
        .filter_map(|(u, x)| match val(x, 0u64, "BlockAtRegistration") {
            Ok(b) if b == block => Some(Ok(u as u16)),
            Ok(_) => None,
            Err(e) => Some(Err(e)),
        })
        .collect::<Result<_, _>>()?;
    let reset = reset_reads
        .resolve(
            node,
            netuid,
            block,
            &hb,
            &vd,
            &hotkeys,
            reset_on_s,
            &reregistered,
        )
        .await?;
    warnings.extend(reset.warnings);
    let skip_uids = resets::merge(&reregistered, &reset.uids);
    let legacy = spec <= LEGACY_SPEC;
    let mut snapshot = Snapshot {
        netuid,
        block,
        n: s.n,
        hyperparams: s.hyper,
        owner_uid,
        last_mechanism_step_block: if legacy { 0 } else { s.last_step },
        rao_emission: 0,
        alpha_stake: stakes.alpha,
        tao_stake: stakes.tao,
        validator_permit: fit(s.permit, n, false),
        block_at_registration: bar,
        mechanisms: inputs,
        layout: if s.mechs == 1 {
            Layout::Single
        } else {
            Layout::Multi { split: s.split }
        },
    };
    let mut recorded = Recorded {
        netuid,
        block,
        n: s.n,
        active: recorded_vec(sb.active, n, "Active", &mut warnings),
        stake: recorded_vec(sb.stake, n, "StakeWeight", &mut warnings),
        validator_permit: recorded_vec(sb.permit, n, "ValidatorPermit", &mut warnings),
        consensus: recorded_vec(sb.consensus, n, "Consensus", &mut warnings),
        validator_trust: recorded_vec(sb.trust, n, "ValidatorTrust", &mut warnings),
        dividend: recorded_vec(sb.dividend, n, "Dividends", &mut warnings),
        emission: recorded_vec(sb.emission, n, "Emission", &mut warnings),
        mechanisms: rec_mechs,
        skip_uids,
        source: None,
    };

    // rao_emission: pending at S plus block B's own increment, then pinned by Emission@S_B.
    let increment = match next {
        Some(at) => read_pending(node, netuid, &at).await?,
        None => {
            let before = hash_of(node, block.saturating_sub(2)).await?;
            let p2 = read_pending(node, netuid, &before).await?;
            warnings.push(format!(
                "block {} is not on the node yet: block B's emission increment estimated by B-1's",
                block + 1
            ));
            s.pending.saturating_sub(p2)
        }
    };
    let estimate = estimate_emission(s.pending, increment);
    let pinned = pin_emission(&snapshot, &recorded, estimate);
    snapshot.rao_emission = pinned.value;
    if let Some(w) = &pinned.warning {
        warnings.push(w.clone());
    }
    let mut src = source(node, &hp, &hb, spec, estimate, &pinned, warnings);
    src.insert(
        "skip_uids".into(),
        json!({
            "checked": "re-registered in B (BlockAtRegistration(netuid, uid) at B == B); bonds reset in B (Commitments::LastBondsReset(netuid, hotkey) at B == B for the uid's hotkey at B-1 or B, with BondsResetOn(netuid) true at B-1 or B)",
            "reregistered": reregistered,
            "bonds_reset": reset.uids,
        }),
    );
    recorded.source = Some(src);
    Ok(Fetched {
        snapshot,
        recorded,
        previous_epoch: s.last_step,
    })
}

/// The `source` object of a fetched record: provenance, how `rao_emission` was found, warnings.
fn source(
    node: &Node,
    hp: &At,
    hb: &At,
    spec: u32,
    estimate: u64,
    pinned: &Pinned,
    warnings: Vec<String>,
) -> Map<String, Value> {
    let mut src = Map::new();
    src.insert("fetched_by".into(), json!("yuma fetch"));
    src.insert("node".into(), json!(node.url()));
    src.insert("block_hash".into(), json!(hb.hash));
    src.insert("parent_hash".into(), json!(hp.hash));
    src.insert("spec_version".into(), json!(spec));
    src.insert("rao_emission".into(), json!(pinned.source.as_str()));
    src.insert("rao_emission_estimate".into(), json!(estimate));
    if let Some((lo, hi)) = pinned.interval {
        src.insert("rao_emission_interval".into(), json!([lo, hi]));
    }
    src.insert(
        "server_emission".into(),
        json!("not read: events (IncentiveAlphaEmittedToMiners) are not decoded"),
    );
    src.insert(
        "warnings".into(),
        Value::Array(warnings.into_iter().map(Value::String).collect()),
    );
    src
}
