import Testing
import TrellisCore
@testable import TrellisMatching

@Suite struct WeightFactorsTests {
    @Test func `every weight is described once, in the weights file's names`() {
        #expect(MatchWeights.factors.map(\.key) == MatchWeights.CodingKeys.allCases.map(\.stringValue))
        var weights = MatchWeights()
        for (index, factor) in MatchWeights.factors.enumerated() { weights[keyPath: factor.keyPath] = Double(index + 1) }
        #expect(weights.all == [1, 2, 3, 4, 5, 6, 7])
    }

    @Test func `weights typed as text are plain decimals from 0 to 100, and blank keeps the default`() throws {
        let parsed = try MatchWeights.parse(["complementarity": " 0.5 ", "timeZone": ".25", "language": "", "experience": "0.000001", "sharedValues": "99.123456", "meetingFrequency": "0.5000000000"]).get()
        #expect(parsed.complementarity == 0.5 && parsed.timeZone == 0.25 && parsed.language == MatchWeights().language)
        #expect(parsed.experience == 0.000001 && parsed.sharedValues == 99.123456 && parsed.meetingFrequency == 0.5)
        for bad in ["-0.1", "1e2", "nan", "inf", "0x10", "1,5", ".", "1.2.3", "100.5", "１", "0.0000000000001", "0.0000001", "1.1234567"] {
            guard case .failure(let errors) = MatchWeights.parse(["sharedValues": bad]) else {
                Issue.record("\(bad) was accepted"); continue
            }
            #expect(errors["sharedValues"]?.contains("from 0 to 100") == true, "\(bad)")
        }
        let zero = Dictionary(uniqueKeysWithValues: MatchWeights.factors.map { ($0.key, "0") })
        guard case .failure(let errors) = MatchWeights.parse(zero) else { Issue.record("all zero accepted"); return }
        #expect(errors["weights"] == "At least one weight must be above zero.")
    }
}
