/// Where a tensor's bytes live. Only the CPU exists today; a CUDA backend adds `.cuda(ordinal)` and its own
/// storage, and model code, which only hands tensors to a `ComputeBackend`, does not change.
public enum Device: Hashable, Sendable, CustomStringConvertible {
    case cpu
    public var description: String { "cpu" }
}

/// The arithmetic of matrix products. Everything else (norms, softmax, residual adds) stays f32.
public enum ComputePrecision: String, Sendable, CaseIterable, Codable {
    /// f32 products: exact against transformers in f32 (bf16 weights are widened block by block).
    case f32
    /// bf16 x bf16 products with f32 accumulation and f32 outputs (AMX or AVX512_BF16 where present), as
    /// PyTorch runs a bf16 model; activations are rounded to bf16 at each product's input.
    case bf16
}

/// A weight matrix [out, in] (a Linear layer's layout) prepared once by a backend for its products.
public protocol BackendMatrix: AnyObject, Sendable {
    var rows: Int { get }
    var columns: Int { get }
    var device: Device { get }
    var precision: ComputePrecision { get }
    /// Bytes the backend holds for it.
    var byteCount: Int { get }
    /// The f32 [rows, columns] tensor the products read, when the matrix is held as one (f32 weights at f32
    /// precision): full fine-tuning updates it in place. Nil for converted or repacked matrices.
    var trainableTensor: Tensor? { get }
}

/// The operations model code asks for. Tensors passed in must live on `device`; the backend owns how they
/// are computed (kernels, libraries, threads). Shapes: activations are [rows, features] row-major f32.
public protocol ComputeBackend: AnyObject, Sendable {
    var device: Device { get }
    /// One line naming the device and its kernel paths, for logs and `tina info`.
    var summary: String { get }

    // Memory
    /// A zero-filled tensor on the device.
    func zeros(_ shape: [Int], dtype: DType) throws -> Tensor
    /// A tensor with unspecified contents, for an operation's output that it writes in full.
    func empty(_ shape: [Int], dtype: DType) throws -> Tensor
    /// A device copy of a host tensor (the same tensor on the CPU backend).
    func upload(_ host: Tensor) throws -> Tensor
    /// The values of a device tensor as host f32.
    func download(_ tensor: Tensor) throws -> [Float]
    /// dst = src (same element count; f32 into bf16 rounds to nearest even, bf16 into f32 widens: the bf16 KV cache).
    func copy(_ src: Tensor, into dst: Tensor) throws
    /// Prepares a weight [out, in] for products at `precision` (repacking or converting it once).
    func matrix(_ weight: Tensor, precision: ComputePrecision) throws -> any BackendMatrix

    // Products
    /// y[M, out] = x[M, in] W^T (+ bias).
    func linear(_ x: Tensor, _ w: any BackendMatrix, bias: Tensor?, into y: Tensor) throws
    /// dx[M, in] (+)= dy[M, out] W: the input gradient of a frozen or trained linear layer.
    func linearInputGradient(_ dy: Tensor, _ w: any BackendMatrix, into dx: Tensor, accumulate: Bool) throws
    /// dW[out, in] (+)= dy[M, out]^T x[M, in]: the weight gradient (f32).
    func linearWeightGradient(_ dy: Tensor, _ x: Tensor, into dw: Tensor, accumulate: Bool) throws
    /// c (+)= alpha * op(a) op(b) on f32 matrices (op = optional transpose); c is [M, N].
    func matmul(_ a: Tensor, transposeA: Bool, _ b: Tensor, transposeB: Bool, into c: Tensor,
                alpha: Float, accumulate: Bool) throws

    // Row operations
    /// out[i] = table[tokens[i]] (table f32 or bf16 [vocab, hidden]).
    func embed(_ tokens: [Int], table: Tensor, into out: Tensor) throws
    /// out = x / rms(x) * weight, row by row.
    func rmsNorm(_ x: Tensor, weight: Tensor, eps: Float, into out: Tensor) throws
    /// Rotates each row's heads (rotate-half layout) in place; row i is at `positions[i]`.
    func rope(_ x: Tensor, heads: Int, headDim: Int, positions: [Int], inverseFrequencies: [Float]) throws
    /// out = silu(gate) * up.
    func swiglu(gate: Tensor, up: Tensor, into out: Tensor) throws
    /// y += x.
    func add(_ x: Tensor, into y: Tensor) throws
    /// Causal grouped-query attention of several sequences at once: each segment's rows of q [rows, heads*headDim]
    /// (its new tokens, at positions start..<start+T) attend to its own keys/values [>= start+T, kvHeads*headDim]
    /// (new rows already written) and fill the same rows of out. One call per layer serves a whole decode step.
    func attention(q: Tensor, segments: [AttentionSegment], heads: Int, kvHeads: Int, headDim: Int, into out: Tensor) throws
    // Backward of the row operations (training). Gradients are f32 and shaped like their forward tensors.
    /// dx (+)= d rmsNorm(x; weight) / dx applied to dy.
    func rmsNormBackward(_ x: Tensor, weight: Tensor, eps: Float, outputGradient dy: Tensor, into dx: Tensor,
                         accumulate: Bool) throws
    /// dWeight += sum over rows of dy * x / rms(x): the norm weight's gradient.
    func rmsNormWeightGradient(_ x: Tensor, eps: Float, outputGradient dy: Tensor, into dWeight: Tensor) throws
    /// tableGradient[tokens[i]] += dOut[i]: the embedding's gradient.
    func embedBackward(_ tokens: [Int], outputGradient dOut: Tensor, into tableGradient: Tensor) throws
    /// The inverse rotation (by -angle): the backward of `rope`, in place on the gradient.
    func ropeBackward(_ dx: Tensor, heads: Int, headDim: Int, positions: [Int], inverseFrequencies: [Float]) throws
    /// dGate, dUp of out = silu(gate) * up. gateGradient may be gate and upGradient up (overwritten in place).
    func swigluBackward(gate: Tensor, up: Tensor, outputGradient dOut: Tensor, gateGradient: Tensor, upGradient: Tensor) throws
    /// Gradients of causal GQA attention over whole sequences (positions 0..<T each) stacked by rows (`sequences`
    /// are their row ranges): dq [rows, heads*headDim], dk and dv [rows, kvHeads*headDim] (overwritten).
    /// Probabilities are recomputed from q and k, not stored.
    func attentionBackward(q: Tensor, keys: Tensor, values: Tensor, outputGradient dOut: Tensor, sequences: [Range<Int>],
                           heads: Int, kvHeads: Int, headDim: Int, queryGradient dq: Tensor, keyGradient dk: Tensor,
                           valueGradient dv: Tensor) throws
    /// Returns memory the backend keeps for reuse (freed large blocks) to the system, as after a loop whose
    /// buffers will not be asked for again soon.
    func releaseCachedMemory()
    /// dlogits[i] = weights[i] * (onehot(targets[i]) - softmax(logits[i])): the backward of
    /// sum_i weights[i] * log softmax(logits[i])[targets[i]]. `dLogits` may be `logits` itself (in place).
    func logProbBackward(_ logits: Tensor, targets: [Int], weights: [Float], into dLogits: Tensor) throws
    /// `tokenLogProbs` (without entropies) and `logProbBackward` of the same rows at once, each row's normalizer
    /// computed once: for losses whose weights do not depend on the log-probs (SFT's). Same bits as the two apart.
    func logProbsAndBackward(_ logits: Tensor, targets: [Int], weights: [Float], into dLogits: Tensor) throws -> [Float]

    /// out = x * mask / (1 - probability), mask[i] = (hash(seed, stream, i) >= probability * 2^32), a counter-based
    /// hash (SplitMix64's finalizer): the same (seed, stream) gives the same mask on every backend and thread
    /// count, so a backward pass regenerates it instead of storing it. x may be out.
    func dropout(_ x: Tensor, probability: Float, seed: UInt64, stream: UInt64, into out: Tensor) throws

    // Optimizer
    /// Sum of squares of an f32 tensor, accumulated in Double (for global gradient-norm clipping).
    func sumOfSquares(_ x: Tensor) throws -> Double
    /// x *= alpha.
    func scale(_ x: Tensor, by alpha: Float) throws
    /// y += alpha * x.
    func addScaled(_ x: Tensor, alpha: Float, into y: Tensor) throws
    /// One AdamW update of `parameter` from `gradient`, with PyTorch's semantics and order of operations:
    /// decoupled decay p *= 1 - lr wd; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
    /// p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps). `step` t counts from 1.
    /// Hyperparameters are Doubles, as Python floats are in torch (converted to f32 where torch converts them).
    func adamW(_ parameter: Tensor, gradient: Tensor, firstMoment m: Tensor, secondMoment v: Tensor, step: Int,
               learningRate: Double, beta1: Double, beta2: Double, eps: Double, weightDecay: Double) throws

    /// log softmax(logits[i])[targets[i]] per row, and each row's entropy when asked.
    func tokenLogProbs(_ logits: Tensor, targets: [Int], withEntropy: Bool) throws -> (logProbs: [Float], entropies: [Float]?)
}

/// One sequence of a batched `attention` call.
public struct AttentionSegment: Sendable {
    /// Its new tokens' rows in q and out.
    public var rows: Range<Int>
    /// [>= start + rows.count - prefix positions, kvHeads * headDim]: positions after the shared prefix (all of
    /// them without one), the new tokens' rows already written.
    public var keys: Tensor
    public var values: Tensor
    /// Position of its first new token.
    public var start: Int
    /// Keys and values of positions 0..<P held elsewhere and shared with other sequences (a prompt that G samples
    /// fork from), [P, kvHeads * headDim] each; nil when `keys` starts at position 0.
    public var prefixKeys: Tensor?
    public var prefixValues: Tensor?
    public init(rows: Range<Int>, keys: Tensor, values: Tensor, start: Int, prefixKeys: Tensor? = nil, prefixValues: Tensor? = nil) {
        self.rows = rows
        self.keys = keys
        self.values = values
        self.start = start
        self.prefixKeys = prefixKeys
        self.prefixValues = prefixValues
    }
}

extension ComputeBackend {
    /// Attention of one sequence's new rows q [T, heads*headDim] at positions start..<start+T.
    public func attention(q: Tensor, keys: Tensor, values: Tensor, start: Int, heads: Int, kvHeads: Int, headDim: Int,
                          into out: Tensor) throws {
        let tokens = q.count / max(1, heads * headDim)
        try attention(q: q, segments: [AttentionSegment(rows: 0..<tokens, keys: keys, values: values, start: start)],
                      heads: heads, kvHeads: kvHeads, headDim: headDim, into: out)
    }

    /// The backward of attention over one whole sequence (positions 0..<T).
    public func attentionBackward(q: Tensor, keys: Tensor, values: Tensor, outputGradient dOut: Tensor, heads: Int, kvHeads: Int,
                                  headDim: Int, queryGradient dq: Tensor, keyGradient dk: Tensor, valueGradient dv: Tensor) throws {
        let tokens = q.count / max(1, heads * headDim)
        try attentionBackward(q: q, keys: keys, values: values, outputGradient: dOut, sequences: [0..<tokens], heads: heads,
                              kvHeads: kvHeads, headDim: headDim, queryGradient: dq, keyGradient: dk, valueGradient: dv)
    }
}
