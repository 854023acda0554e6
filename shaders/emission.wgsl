// Emission stage (one workgroup): shares of incentive and dividends, and rao.
//   combined_i = incentive_i + dividends_i (saturating);  E = Σ combined (wrapping)
//   server_i = incentive_i / E,  validator_i = dividends_i / E   (unchanged when E = 0)
//   combined = normalize(combined)
//   E = 0: validator and combined fall back to active stake, or stake if it sums to 0
//   rao_i = u64(I96F32(x_i) · I96F32(rao_emission))
// Also converts the per-uid proportions to the u16 terms the chain stores, three words per uid
// for the readback: consensus | trust << 16, incentive | dividends << 16, and
// stake_u16 | new_permit << 16 | inactive << 17.

@group(0) @binding(1) var<storage, read> incentive: array<i64>;
@group(0) @binding(2) var<storage, read> dividends: array<i64>;
@group(0) @binding(3) var<storage, read> active_stake: array<i64>;
@group(0) @binding(4) var<storage, read> stake: array<i64>;
@group(0) @binding(5) var<storage, read> consensus: array<i64>;
@group(0) @binding(6) var<storage, read> trust: array<i64>;
@group(0) @binding(7) var<storage, read_write> server_share: array<i64>;
@group(0) @binding(8) var<storage, read_write> validator_share: array<i64>;
@group(0) @binding(9) var<storage, read_write> combined_share: array<i64>;
@group(0) @binding(10) var<storage, read_write> rao: array<u64>;
@group(0) @binding(11) var<storage, read_write> terms: array<u32>;
@group(0) @binding(12) var<storage, read> stake_u16: array<u32>;
@group(0) @binding(13) var<storage, read> new_permit: array<u32>;
@group(0) @binding(14) var<storage, read> inactive: array<u32>;

@compute @workgroup_size(256)
fn emission(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    if enter(L_ONE, wid, nwg, lid3.x) == NONE {
        return;
    }
    let lid = lid3.x;
    let n = params.n;
    var acc = 0li;
    var acc_active = 0li;
    for (var i = lid; i < n; i += WG) {
        let c = fx_add_sat(incentive[params.o_n + i], dividends[params.o_n + i]);
        combined_share[params.o_n + i] = c;
        acc += c;
        acc_active += active_stake[params.o_n + i];
    }
    let sum = workgroup_sum(lid, acc);
    let active_sum = workgroup_sum(lid, acc_active);
    for (var i = lid; i < n; i += WG) {
        var server = incentive[params.o_n + i];
        var validator = dividends[params.o_n + i];
        var combined = combined_share[params.o_n + i];
        if sum != 0li {
            server = fx_safe_div(server, sum);
            validator = fx_safe_div(validator, sum);
            combined = fx_safe_div(combined, sum);
        } else {
            let fallback = select(active_stake[params.o_n + i], stake[params.o_n + i], active_sum == 0li);
            validator = fallback;
            combined = fallback;
        }
        server_share[params.o_n + i] = server;
        validator_share[params.o_n + i] = validator;
        combined_share[params.o_n + i] = combined;
        rao[3u * params.o_n + i] = fx_rao(server, params.rao_emission);
        rao[3u * params.o_n + n + i] = fx_rao(validator, params.rao_emission);
        rao[3u * params.o_n + 2u * n + i] = fx_rao(combined, params.rao_emission);
        let at = 3u * (params.o_n + i);
        let u = params.o_n + i;
        terms[at] = fx_to_u16_proportion(consensus[u]) | (fx_to_u16_proportion(trust[u]) << 16u);
        terms[at + 1u] = fx_to_u16_proportion(incentive[u]) | (fx_to_u16_proportion(dividends[u]) << 16u);
        let permit = select(0u, 1u, new_permit[u] != 0u);
        let idle = select(0u, 1u, inactive[u] != 0u);
        terms[at + 2u] = stake_u16[u] | (permit << 16u) | (idle << 17u);
    }
}
