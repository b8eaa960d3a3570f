// unary.comp - d[i] = f(a[i]) for the activations: SiLU (OP 0) x·σ(x), GELU (OP 1) in its
// exact erf form x·(1 + erf(x/√2))/2 (Hugging Face's "gelu"), quick-GELU (OP 2) x·σ(1.702x).
#version 450
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint OP = 0;

layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) writeonly buffer D { float d[]; };
layout(push_constant) uniform Push {
    uint n;
    uint row_stride; // invocations per grid row
} p;

float sigmoid(float x) { return 1.0 / (1.0 + exp(-x)); }

// erf(x) through the Chebyshev fit of erfc(|x|) = t·exp(-x² + P(t)), t = 1/(1 + |x|/2),
// whose relative error is below 1.2e-7 everywhere (Numerical Recipes' erfcc).
float erf_approx(float x)
{
    float t = 1.0 / (1.0 + 0.5 * abs(x));
    float y = 1.0 - t * exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 +
              t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 +
              t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
    return x >= 0.0 ? y : -y;
}

void main()
{
    uint i = gl_GlobalInvocationID.y * p.row_stride + gl_GlobalInvocationID.x;
    if (i >= p.n)
        return;
    float x = a[i];
    if (OP == 0)
        d[i] = x * sigmoid(x);
    else if (OP == 1)
        d[i] = 0.5 * x * (1.0 + erf_approx(x * 0.70710678118654752));
    else
        d[i] = x * sigmoid(1.702 * x);
}
