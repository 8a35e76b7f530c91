import Testing

@testable import RehearseEngine
@testable import RehearseScenario

/// The synthesizer's pure decisions (no database): layouts, check bounds, the CASE tree, the ordered share.
@Suite("Synthesis plan")
struct SynthesisPlanTests {
    @Test func layoutGivesExactCounts() {
        let stats = ColumnStats(nullFrac: 0.1, nDistinct: 50, mostCommonFreqs: [0.5, 0.2], avgWidth: 4)
        let layout = RankLayout(rows: 1000, stats: stats, notNull: false, unique: false)
        #expect(layout.nulls == 100 && layout.mostCommon == [500, 200])
        #expect(layout.rest == 200 && layout.distinct == 48)
        // NOT NULL in the target wins over the profile's NULLs; a unique column has no most common values.
        let unique = RankLayout(rows: 1000, stats: stats, notNull: true, unique: true)
        #expect(unique.nulls == 0 && unique.mostCommon.isEmpty && unique.distinct == 1000)
        // Fewer parents than the profile referenced: the most referenced merge in groups.
        let fk = RankLayout(
            rows: 1000, stats: ColumnStats(nullFrac: 0, nDistinct: 100, mostCommonFreqs: [0.2, 0.1, 0.1, 0.05], avgWidth: 8),
            notNull: true, unique: false, cap: 50)
        #expect(fk.mostCommon == [300, 150] && fk.distinct == 48)
    }

    @Test func checksBoundTheValues() {
        let score = CheckBounds.read(["((score >= 0) AND (score <= 100))"], subject: "score", integer: true)
        #expect(score.low == 0 && score.high == 100)
        let year = CheckBounds.read(["CHECK (((VALUE >= 1901) AND (VALUE <= 2155)))"], subject: "VALUE", integer: true)
        #expect(year.low == 1901 && year.high == 2155)
        let amount = CheckBounds.read(["(amount > (0)::numeric)"], subject: "amount", integer: false)
        #expect((amount.low ?? 0) > 0)
        let status = CheckBounds.read(
            ["((status)::text = ANY ((ARRAY['new'::character varying, 'it''s'::character varying])::text[]))"], subject: "status",
            integer: false)
        #expect(status.allowed == ["new", "it's"])
        let name = CheckBounds.read(["(length(name) <= 40)"], subject: "name", integer: false)
        #expect(name.maxLength == 40)
        let partition = CheckBounds.read(
            [
                "((payment_date IS NOT NULL) AND (payment_date >= '2022-01-01 00:00:00+00'::timestamp with time zone) AND (payment_date < '2022-02-01 00:00:00+00'::timestamp with time zone))"
            ],
            subject: "payment_date", integer: false)
        #expect(partition.lowText?.value == "2022-01-01 00:00:00+00" && partition.highText?.strict == true)
        // Another column's bound is not this one's.
        #expect(CheckBounds.read(["(other_score >= 5)"], subject: "score", integer: true).low == nil)
    }

    @Test func caseTreeFindsEverySegment() {
        let segments = (1...100).map { (($0 * 10), "\($0)") }
        let sql = SynthesisPlan.segmentCase("r", segments[...], otherwise: "0")
        // About log2(100) tests deep, not a hundred in a row.
        var (depth, deepest) = (0, 0)
        for word in sql.split(separator: " ") {
            if word == "CASE" {
                depth += 1
                deepest = max(deepest, depth)
            } else if word == "END" {
                depth -= 1
            }
        }
        #expect(deepest <= 7 && depth == 0, "\(deepest)")
        #expect(sql.contains("WHEN r < 500 THEN"))
        #expect(SynthesisPlan.segmentCase("r", [][...], otherwise: "x") == "x")
    }

    @Test func orderedShareMeetsItsCorrelation() {
        for target in [0.1, 0.39, 0.8] {
            let p = SynthesisPlan.orderedPrefix(target)
            let corr = 4 * p * p * p + 3 * (1 + p) * (1 - p * p) - 3
            #expect(abs(corr - target) < 1e-6)
        }
    }
}
