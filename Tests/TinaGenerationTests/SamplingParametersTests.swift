import Foundation
import Testing
import TinaCore
import TinaGeneration

@Suite struct SamplingParametersTests {
    /// Each invalid field is refused with a message that names it.
    @Test func invalidFieldsAreNamed() {
        let cases: [(String, () throws -> SamplingParameters)] = [
            ("temperature", { try SamplingParameters(temperature: -0.1) }),
            ("temperature", { try SamplingParameters(temperature: .nan) }),
            ("temperature", { try SamplingParameters(temperature: .infinity) }),
            ("top-k", { try SamplingParameters(topK: -1) }),
            ("top-p", { try SamplingParameters(topP: 0) }),
            ("top-p", { try SamplingParameters(topP: 1.5) }),
            ("min-p", { try SamplingParameters(minP: -0.5) }),
            ("min-p", { try SamplingParameters(minP: 2) }),
            ("repetition penalty", { try SamplingParameters(repetitionPenalty: 0) }),
            ("repetition penalty", { try SamplingParameters(repetitionPenalty: .nan) }),
            ("presence penalty", { try SamplingParameters(presencePenalty: 2.5) }),
            ("frequency penalty", { try SamplingParameters(frequencyPenalty: -3) }),
            ("logit bias", { try SamplingParameters(logitBias: [-1: 1]) }),
            ("logit bias", { try SamplingParameters(logitBias: [5: .infinity]) }),
            ("max new tokens", { try SamplingParameters(maxNewTokens: 0) }),
            ("stop token id", { try SamplingParameters(stopTokenIDs: [3, -2]) }),
            ("stop strings", { try SamplingParameters(stopStrings: ["</s>", ""]) }),
        ]
        for (field, make) in cases {
            do {
                _ = try make()
                Issue.record("\(field): accepted an invalid value")
            } catch {
                #expect(String(describing: error).contains(field), "\(error) does not name \(field)")
            }
        }
    }

    @Test func validValuesAndVocabularyCheck() throws {
        let p = try SamplingParameters(temperature: 0.7, topK: 50, topP: 0.95, minP: 0.05, repetitionPenalty: 1.1,
                                       presencePenalty: -2, frequencyPenalty: 2, logitBias: [0: -100, 9: 3], seed: 7,
                                       maxNewTokens: 10, stopTokenIDs: [9], stopStrings: ["\n\n"])
        #expect(p.topK == 50 && p.logitBias[9] == 3 && p.stopStrings == ["\n\n"])
        try p.validate(vocabSize: 10)
        #expect(throws: TinaError.self) { try p.validate(vocabSize: 9) }
        #expect(SamplingParameters.greedy.temperature == 0 && SamplingParameters.greedy.maxNewTokens == 256)
    }

    @Test func logitBiasText() throws {
        #expect(try SamplingParameters.parseLogitBias("50256:-100, 13:2.5") == [50256: -100, 13: 2.5])
        #expect(try SamplingParameters.parseLogitBias("") == [:])
        for bad in ["3=1", "a:1", "3:x", "3:1:2"] {
            #expect(throws: TinaError.self, "\(bad)") { try SamplingParameters.parseLogitBias(bad) }
        }
    }
}
