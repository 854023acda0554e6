// x_i / Σ x (wrapping sum, safe division), unchanged when the sum is 0: the chain's
// `inplace_normalize`, for incentive and dividends. One workgroup.

@group(0) @binding(1) var<storage, read_write> values: array<i64>;


@compute @workgroup_size(256)
fn normalize(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    if enter(L_ONE, wid, nwg, lid3.x) == NONE {
        return;
    }
    let lid = lid3.x;
    var acc = 0li;
    for (var i = lid; i < params.n; i += WG) {
        acc += values[params.o_n + i];
    }
    let total = workgroup_sum(lid, acc);
    let sum = total;
    if sum != 0li {
        for (var i = lid; i < params.n; i += WG) {
            values[params.o_n + i] = fx_safe_div(values[params.o_n + i], sum);
        }
    }
}
