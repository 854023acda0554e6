// Shared declarations of the epoch kernels: the per-epoch parameters, the matrix view (one per
// epoch), the slots of the bond rows, the scalar cells reductions write, and how a launch finds
// its epoch. Prepended (after fixed.wgsl) to every stage file.
//
// A batch of epochs shares its buffers: epoch e's part of a buffer starts at e's offset for the
// buffer's size class (the `o_*` fields below), and every index in the stage files is local to
// the epoch, added to that offset. One launch of a kernel runs it for every epoch of a batch (or
// of a subset of it): `launch` holds, per launch class, the prefix sums of the workgroups each
// epoch takes, and `enter` finds a workgroup's epoch by binary search.

// Per-epoch parameters, written by the host (`gpu::params::EpochParams`, same layout).
struct Params {
    n: u32,              // uids
    nnz_w: u32,          // weight entries (columns < n)
    nnz_b: u32,          // bond entries (all columns)
    n_slots: u32,        // rows holding weights or bonds (bond-side dense rows)
    owner: u32,          // owner uid for the diagonal and threshold rules; NONE when unset
    k: u32,              // max_allowed_validators
    flags: u32,          // FLAG_* bits
    epoch: u32,          // this epoch's position in the batch
    o_n: u32,            // offset of per-uid arrays (class N: n cells)
    o_n1: u32,           // offset of row / column pointers (class N1: n + 1 cells)
    o_e: u32,            // offset of entry index arrays (class E: max(nnz_w, nnz_b) cells)
    o_s: u32,            // offset of per-slot arrays (class S: n_slots cells)
    o_x: u32,            // offset of matrix values (class X: max(n_slots·n, nnz_w, nnz_b) cells)
                         // (each part is cut for the host's bounds on these sizes: at least them)
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
    block: u64,
    activity_cutoff: u64,
    stake_threshold: u64,
    last_tempo: u64,     // bonds of columns registered at or after it are dropped
    rao_emission: u64,
    _pad3: u64,
    tao_weight: I128,    // I64F64 raw bits of tao_weight
    kappa: i64,          // I32F32 kappa / 65535
    penalty: i64,        // I32F32 bonds_penalty / 65535
    alpha: i64,          // I32F32 fixed EMA rate of the branch in use
    alpha_low: i64,
    alpha_high: i64,
    steepness: i64,      // I32F32 alpha_sigmoid_steepness
}

struct MatView {
    dense: u32,          // 1: dense slot rows (slot s, column j at s*n + j); 0: CSR + CSC
    _a: u32,
    _b: u32,
    _c: u32,
}

// A matrix entry as the host packs it: column j in the low 16 bits, the stored u16 value in
// the high 16 bits (`j | v << 16`).
fn col_of(entry: u32) -> u32 {
    return entry & 0xFFFFu;
}

fn raw_of(entry: u32) -> u32 {
    return entry >> 16u;
}

const NONE: u32 = 0xFFFFFFFFu;
const WG: u32 = 256u;

const FLAG_COMMIT_REVEAL: u32 = 1u;
const FLAG_YUMA3: u32 = 2u;
const FLAG_LIQUID: u32 = 4u;   // Yuma 3 with liquid alpha enabled

// Cells of the `scal` buffer (i64 each), SCAL_CELLS per epoch.
const SCAL_CELLS: u32 = 8u;
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

// Launch classes: how many workgroups a kernel takes per epoch (`gpu::epoch::Launch`).
const L_ONE: u32 = 0u;        // 1
const L_ITEMS_N: u32 = 1u;    // ⌈n / 256⌉, one invocation per uid
const L_GROUPS_N: u32 = 2u;   // n, one workgroup per uid
const L_ITEMS_W: u32 = 3u;    // ⌈nnz_w / 256⌉
const L_ITEMS_B: u32 = 4u;    // ⌈nnz_b / 256⌉
const L_ITEMS_X: u32 = 5u;    // ⌈max(n_slots·n, nnz_w, nnz_b) / 256⌉, one invocation per matrix cell
const L_GROUPS_S: u32 = 6u;   // n_slots, one workgroup per slot row
const L_ITEMS64_S: u32 = 7u;  // ⌈n_slots / 64⌉, one invocation per slot row
const L_BATCH: u32 = 8u;      // 1 for the whole batch

// Every epoch's parameters, and this workgroup's epoch's (set by `enter`).
@group(0) @binding(0) var<storage, read> all_params: array<Params>;
// [epochs, then per launch class c: epochs + 1 prefix sums of the workgroups per epoch]; an
// epoch outside the launch's subset takes 0 workgroups.
@group(0) @binding(31) var<storage, read> launch: array<u32>;
var<workgroup> params: Params;

// The workgroup's index over the launch (a 2-D grid), its epoch found in the prefix sums of
// class `kind`: loads that epoch's parameters into `params` and returns the workgroup's index
// within the epoch, or NONE past the last epoch's workgroups. Call first, from every invocation.
fn enter(kind: u32, wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
    let g = wid.x + wid.y * nwg.x;
    let epochs = launch[0];
    let base = 1u + kind * (epochs + 1u);
    var within = NONE;
    if g < launch[base + epochs] {
        // prefix[lo] <= g < prefix[hi]
        var lo = 0u;
        var hi = epochs;
        while hi - lo > 1u {
            let mid = (lo + hi) / 2u;
            if launch[base + mid] <= g {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        if lid == 0u {
            params = all_params[lo];
        }
        within = g - launch[base + lo];
    }
    workgroupBarrier();
    return within;
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
