// x_i / Σ x (wrapping sum, safe division), unchanged when the sum is 0: the chain's
// `inplace_normalize`, for incentive and dividends. One workgroup.

@group(0) @binding(0) var<storage, read> params: Params;
@group(0) @binding(1) var<storage, read_write> values: array<i64>;


@compute @workgroup_size(256)
fn normalize(@builtin(local_invocation_id) lid3: vec3<u32>) {
    let lid = lid3.x;
    var acc = 0li;
    for (var i = lid; i < params.n; i += WG) {
        acc += values[i];
    }
    let total = workgroup_sum(lid, acc);
    let sum = total;
    if sum != 0li {
        for (var i = lid; i < params.n; i += WG) {
            values[i] = fx_safe_div(values[i], sum);
        }
    }
}
