// Shared declarations of the epoch kernels: the per-epoch parameters, the per-dispatch matrix
// view, the slots of the bond rows and the scalar cells reductions write. Prepended (after
// fixed.wgsl) to every stage file; declarations only.

// Per-epoch parameters, written by the host (`gpu::params::EpochParams`, same layout).
struct Params {
    n: u32,              // uids
    nnz_w: u32,          // weight entries (columns < n)
    nnz_b: u32,          // bond entries (all columns)
    n_slots: u32,        // rows holding weights or bonds (bond-side dense rows)
    owner: u32,          // owner uid for the diagonal and threshold rules; NONE when unset
    k: u32,              // max_allowed_validators
    flags: u32,          // FLAG_* bits
    _pad: u32,
    block: u64,
    activity_cutoff: u64,
    stake_threshold: u64,
    last_tempo: u64,     // bonds of columns registered at or after it are dropped
    rao_emission: u64,
    _pad2: u64,
    tao_weight: I128,    // I64F64 raw bits of tao_weight
    kappa: i64,          // I32F32 kappa / 65535
    penalty: i64,        // I32F32 bonds_penalty / 65535
    alpha: i64,          // I32F32 fixed EMA rate of the branch in use
    alpha_low: i64,
    alpha_high: i64,
    steepness: i64,      // I32F32 alpha_sigmoid_steepness
}

// Which matrix a generic kernel (column normalize, max-upscale, dividends) works on.
struct MatView {
    dense: u32,          // 1: dense slot rows (slot s, column j at s*n + j); 0: CSR + CSC
    _a: u32,
    _b: u32,
    _c: u32,
}

const NONE: u32 = 0xFFFFFFFFu;
const WG: u32 = 256u;

const FLAG_COMMIT_REVEAL: u32 = 1u;
const FLAG_YUMA3: u32 = 2u;
const FLAG_LIQUID: u32 = 4u;   // Yuma 3 with liquid alpha enabled

// Cells of the `scal` buffer (i64 each).
const S_STAKE_SUM_LO: u32 = 0u;
const S_STAKE_SUM_HI: u32 = 1u;
const S_N_VALIDATORS: u32 = 2u;
const S_MINORITY: u32 = 3u;
const S_MEDIAN_TOTAL: u32 = 4u;
const S_LIQUID: u32 = 6u;     // 1 when liquid alpha applies to this epoch
// The total of the last workgroup_scan, workgroup-uniform; the scan scratch is free again after.
fn workgroup_scan_total() -> u32 {
    let total = workgroupUniformLoad(&wg_scan[WG - 1u]);
    workgroupBarrier();
    return total;
}

// The contiguous share [x, y) of 0..n that invocation `lid` of a single workgroup walks when
// the order across invocations matters (compactions and scans).
fn contiguous_chunk(lid: u32, n: u32) -> vec2<u32> {
    let chunk = (n + WG - 1u) / WG;
    let begin = min(lid * chunk, n);
    return vec2<u32>(begin, min(begin + chunk, n));
}

// The index of this invocation over a 1-D problem dispatched as a 2-D grid of workgroups.
fn linear_id(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
    return gid.x + gid.y * nwg.x * WG;
}

// The index of this workgroup over a 1-D problem dispatched as a 2-D grid.
fn group_index(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
    return wid.x + wid.y * nwg.x;
}

// Scratch of the workgroup reductions below (one cell per invocation of a 256-wide workgroup).
var<workgroup> wg_sum: array<i64, 256>;
var<workgroup> wg_scan: array<u32, 256>;

// The wrapping sum of `v` over the workgroup, returned (workgroup-uniform) to every invocation.
// Call from uniform control flow with all 256 invocations.
fn workgroup_sum(lid: u32, v: i64) -> i64 {
    wg_sum[lid] = v;
    workgroupBarrier();
    for (var step = WG / 2u; step > 0u; step /= 2u) {
        if lid < step {
            wg_sum[lid] += wg_sum[lid + step];
        }
        workgroupBarrier();
    }
    let total = workgroupUniformLoad(&wg_sum[0]);
    workgroupBarrier();
    return total;
}

// The saturating sum of non-negative `v` over the workgroup: for non-negative terms every
// grouping gives min(Σ, MAX), so the tree equals a sequential saturating sum.
fn workgroup_sat_sum(lid: u32, v: i64) -> i64 {
    wg_sum[lid] = v;
    workgroupBarrier();
    for (var step = WG / 2u; step > 0u; step /= 2u) {
        if lid < step {
            wg_sum[lid] = fx_add_sat(wg_sum[lid], wg_sum[lid + step]);
        }
        workgroupBarrier();
    }
    let total = workgroupUniformLoad(&wg_sum[0]);
    workgroupBarrier();
    return total;
}

// The inclusive prefix sum of `v` over the workgroup (Hillis–Steele), and in `wg_scan[WG - 1]`
// the total. Call from uniform control flow with all 256 invocations.
fn workgroup_scan(lid: u32, v: u32) -> u32 {
    wg_scan[lid] = v;
    workgroupBarrier();
    for (var step = 1u; step < WG; step *= 2u) {
        var add = 0u;
        if lid >= step {
            add = wg_scan[lid - step];
        }
        workgroupBarrier();
        wg_scan[lid] += add;
        workgroupBarrier();
    }
    return wg_scan[lid];
}
