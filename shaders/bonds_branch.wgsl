// Which bonds EMA this epoch uses, decided on the GPU so the epoch needs no host round trip:
// liquid alpha applies when it is enabled (Yuma 3) and some consensus is non-zero; then the EMA
// takes W_b's own form (CSR entries or dense slot rows), otherwise the dense slot rows of
// `mat_ema_sparse`. The kernels of the branch not taken do nothing.

@group(0) @binding(1) var<storage, read> view: array<MatView>;
@group(0) @binding(2) var<storage, read> consensus: array<i64>;
@group(0) @binding(3) var<storage, read_write> scal: array<i64>;
@group(0) @binding(4) var<storage, read_write> ema_view: array<MatView>;

// One workgroup.
@compute @workgroup_size(256)
fn liquid_decision(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    if enter(L_ONE, wid, nwg, lid3.x) == NONE {
        return;
    }
    let lid = lid3.x;
    var nonzero = 0li;
    for (var j = lid; j < params.n; j += WG) {
        if consensus[params.o_n + j] != 0li {
            nonzero += 1li;
        }
    }
    let any = workgroup_sum(lid, nonzero) != 0li;
    if lid == 0u {
        let liquid = any && (params.flags & FLAG_LIQUID) != 0u;
        scal[params.epoch * SCAL_CELLS + S_LIQUID] = select(0li, 1li, liquid);
        ema_view[params.epoch].dense = select(1u, view[params.epoch].dense, liquid);
    }
}
