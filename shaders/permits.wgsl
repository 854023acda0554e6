// Permits stage: the new validator permits (top-k of the normalized stake) and active stake.
//   new_permit_i = stake_i ≠ 0 and i is not among the first n − k of a stable ascending sort
//                  by stake (only when n ≥ k), or i = owner
//   active_i     = normalize(stake ∘ ¬inactive ∘ old_permit)   (wrapping sum, safe division)
// Both run in one workgroup (n ≤ 65,535); the (n − k)-th key is found by a radix select.

@group(0) @binding(1) var<storage, read> stake: array<i64>;
@group(0) @binding(2) var<storage, read> inactive: array<u32>;
@group(0) @binding(3) var<storage, read> old_permit: array<u32>;
@group(0) @binding(4) var<storage, read_write> new_permit: array<u32>;
@group(0) @binding(5) var<storage, read_write> active_stake: array<i64>;

var<workgroup> histogram: array<atomic<u32>, 256>;
var<workgroup> chosen_digit: u32;
var<workgroup> chosen_below: u32;

// Stake as an unsigned key with the same order as the signed value.
fn stake_key(i: u32) -> u64 {
    return bitcast<u64>(stake[params.o_n + i]) ^ 0x8000000000000000lu;
}

// Digit d (8 bits, most significant first) of uid i's sort key (stake key, then uid): the
// stable ascending order is the order of these unique 80-bit keys.
fn key_digit(i: u32, d: u32) -> u32 {
    if d < 8u {
        return u32((stake_key(i) >> (56u - 8u * d)) & 255lu);
    }
    return (i >> (8u * (9u - d))) & 255u;
}

@compute @workgroup_size(256)
fn new_permits(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    if enter(L_ONE, wid, nwg, lid3.x) == NONE {
        return;
    }
    let lid = lid3.x;
    let n = params.n;
    let k = params.k;
    // Cleared: the first m = n − k uids of the stable ascending order, i.e. those whose
    // (stake, uid) key is below the m-th one, (t, x).
    var t = 0lu;
    var x = 0u;
    var clear_all = false;
    if n >= k {
        let m = n - k;
        if m >= n {
            clear_all = true;
        } else if m > 0u {
            // Radix select of the m-th smallest key, 8 bits a round: count the keys that
            // share the digits chosen so far, by their next digit; keep the bin holding rank m.
            var key_prefix = 0lu;
            var key_mask = 0lu;
            var uid_prefix = 0u;
            var uid_mask = 0u;
            var rank = m;
            for (var d = 0u; d < 10u; d++) {
                atomicStore(&histogram[lid], 0u);
                workgroupBarrier();
                for (var i = lid; i < n; i += WG) {
                    if (stake_key(i) & key_mask) == key_prefix && (i & uid_mask) == uid_prefix {
                        atomicAdd(&histogram[key_digit(i, d)], 1u);
                    }
                }
                workgroupBarrier();
                let h = atomicLoad(&histogram[lid]);
                let upto = workgroup_scan(lid, h);
                if upto - h <= rank && rank < upto {
                    chosen_digit = lid;
                    chosen_below = upto - h;
                }
                let digit = workgroupUniformLoad(&chosen_digit);
                rank -= workgroupUniformLoad(&chosen_below);
                if d < 8u {
                    key_prefix |= u64(digit) << (56u - 8u * d);
                    key_mask |= 255lu << (56u - 8u * d);
                } else {
                    uid_prefix |= digit << (8u * (9u - d));
                    uid_mask |= 255u << (8u * (9u - d));
                }
                workgroupBarrier();
            }
            t = key_prefix;
            x = uid_prefix;
        }
    }
    for (var i = lid; i < n; i += WG) {
        var p = stake[params.o_n + i] != 0li;
        if clear_all {
            p = false;
        } else if n > k {
            let key = stake_key(i);
            if key < t || (key == t && i < x) {
                p = false;
            }
        }
        if i == params.owner {
            p = true;
        }
        new_permit[params.o_n + i] = select(0u, 1u, p);
    }
}

@compute @workgroup_size(256)
fn active_stake_normalize(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    if enter(L_ONE, wid, nwg, lid3.x) == NONE {
        return;
    }
    let lid = lid3.x;
    var acc = 0li;
    for (var i = lid; i < params.n; i += WG) {
        var a = stake[params.o_n + i];
        if inactive[params.o_n + i] != 0u || old_permit[params.o_n + i] == 0u {
            a = 0li;
        }
        active_stake[params.o_n + i] = a;
        acc += a;
    }
    let total = workgroup_sum(lid, acc);
    let sum = total;
    if sum != 0li {
        for (var i = lid; i < params.n; i += WG) {
            active_stake[params.o_n + i] = fx_safe_div(active_stake[params.o_n + i], sum);
        }
    }
}
