// Permits stage: the new validator permits (top-k of the normalized stake) and active stake.
//   new_permit_i = stake_i ≠ 0 and i is not among the first n − k of a stable ascending sort
//                  by stake (only when n ≥ k), or i = owner
//   active_i     = normalize(stake ∘ ¬inactive ∘ old_permit)   (wrapping sum, safe division)
// Both run in one workgroup (n ≤ 65,535): the k-th key is found by bisection on its bits.

@group(0) @binding(0) var<storage, read> params: Params;
@group(0) @binding(1) var<storage, read> stake: array<i64>;
@group(0) @binding(2) var<storage, read> inactive: array<u32>;
@group(0) @binding(3) var<storage, read> old_permit: array<u32>;
@group(0) @binding(4) var<storage, read_write> new_permit: array<u32>;
@group(0) @binding(5) var<storage, read_write> active_stake: array<i64>;

var<workgroup> counter: atomic<u32>;
var<workgroup> counted: u32;

// Stake as an unsigned key with the same order as the signed value.
fn stake_key(i: u32) -> u64 {
    return bitcast<u64>(stake[i]) ^ 0x8000000000000000lu;
}

// #{i : key_i <= t} (or < t when `strict`), counted by the whole workgroup.
fn count_keys(lid: u32, t: u64, strict: bool) -> u32 {
    workgroupBarrier();
    if lid == 0u {
        atomicStore(&counter, 0u);
    }
    workgroupBarrier();
    var c = 0u;
    for (var i = lid; i < params.n; i += WG) {
        let key = stake_key(i);
        if key < t || (!strict && key == t) {
            c += 1u;
        }
    }
    atomicAdd(&counter, c);
    workgroupBarrier();
    if lid == 0u {
        counted = atomicLoad(&counter);
    }
    return workgroupUniformLoad(&counted);
}

// #{i < x : key_i = t}.
fn count_equal_below(lid: u32, t: u64, x: u32) -> u32 {
    workgroupBarrier();
    if lid == 0u {
        atomicStore(&counter, 0u);
    }
    workgroupBarrier();
    var c = 0u;
    for (var i = lid; i < min(x, params.n); i += WG) {
        if stake_key(i) == t {
            c += 1u;
        }
    }
    atomicAdd(&counter, c);
    workgroupBarrier();
    if lid == 0u {
        counted = atomicLoad(&counter);
    }
    return workgroupUniformLoad(&counted);
}

@compute @workgroup_size(256)
fn new_permits(@builtin(local_invocation_id) lid3: vec3<u32>) {
    let lid = lid3.x;
    let n = params.n;
    let k = params.k;
    // Cleared: the first m = n − k uids of the stable ascending order, i.e. those whose key is
    // below the m-th key t, and the first `tied` uids (by index) whose key equals t.
    var t = 0lu;
    var x = 0u;
    var clear_all = false;
    if n >= k {
        let m = n - k;
        if m >= n {
            clear_all = true;
        } else if m > 0u {
            var lo = 0lu;
            var hi = 0xFFFFFFFFFFFFFFFFlu;
            loop {
                if lo >= hi {
                    break;
                }
                let mid = lo + (hi - lo) / 2lu;
                if count_keys(lid, mid, false) > m {
                    hi = mid;
                } else {
                    lo = mid + 1lu;
                }
            }
            t = lo;
            let tied = m - count_keys(lid, t, true);
            var xl = 0u;
            var xh = n;
            loop {
                if xl >= xh {
                    break;
                }
                let mid = xl + (xh - xl) / 2u;
                if count_equal_below(lid, t, mid) >= tied {
                    xh = mid;
                } else {
                    xl = mid + 1u;
                }
            }
            x = xl;
        }
    }
    for (var i = lid; i < n; i += WG) {
        var p = stake[i] != 0li;
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
        new_permit[i] = select(0u, 1u, p);
    }
}

@compute @workgroup_size(256)
fn active_stake_normalize(@builtin(local_invocation_id) lid3: vec3<u32>) {
    let lid = lid3.x;
    var acc = 0li;
    for (var i = lid; i < params.n; i += WG) {
        var a = stake[i];
        if inactive[i] != 0u || old_permit[i] == 0u {
            a = 0li;
        }
        active_stake[i] = a;
        acc += a;
    }
    let total = workgroup_sum(lid, acc);
    let sum = total;
    if sum != 0li {
        for (var i = lid; i < params.n; i += WG) {
            active_stake[i] = fx_safe_div(active_stake[i], sum);
        }
    }
}
