/// A trainable tensor and its gradient (both f32, on the backend's device): LoRA matrices, or every weight in
/// full fine-tuning. Optimizers update `value` from `gradient`.
public final class TrainableParameter: @unchecked Sendable {
    public let name: String
    public let value: Tensor
    public let gradient: Tensor

    public init(name: String, value: Tensor, backend: any ComputeBackend) throws {
        guard value.dtype == .f32 else {
            throw TinaError.invalidArgument("trainable parameter '\(name)' must be f32, got \(value.dtype.rawValue)")
        }
        self.name = name
        self.value = try backend.upload(value)
        gradient = try backend.zeros(value.shape, dtype: .f32)
    }
}
