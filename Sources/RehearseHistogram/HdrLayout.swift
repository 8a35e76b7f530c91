/// HdrHistogram's counts-array layout: which index holds a value, and which values an
/// index stands for. The formulas are the Java original's (hdrhistogram-swift ports them
/// but keeps them internal), so an index written here means the same values to every
/// HdrHistogram reader.
struct HdrLayout: Equatable, Sendable {
    let significantDigits: Int
    let lowestDiscernibleValue: UInt64
    let highestTrackableValue: UInt64
    /// The number of entries a histogram of this layout has, and so the bound on an index.
    let countsLength: Int
    private let unitMagnitude: Int
    private let subBucketHalfCountMagnitude: Int

    /// Nil for parameters HdrHistogram itself rejects.
    init?(significantDigits: Int, lowestDiscernibleValue: UInt64, highestTrackableValue: UInt64) {
        guard (0...5).contains(significantDigits), lowestDiscernibleValue >= 1,
            lowestDiscernibleValue <= UInt64(Int64.max) / 2, highestTrackableValue >= 2 * lowestDiscernibleValue,
            highestTrackableValue <= UInt64(Int64.max)
        else { return nil }
        var power = 1
        for _ in 0..<significantDigits { power *= 10 }
        let largestValueWithSingleUnitResolution = UInt64(2 * power)
        var subBucketCountMagnitude = 0
        while UInt64(1) << subBucketCountMagnitude < largestValueWithSingleUnitResolution { subBucketCountMagnitude += 1 }
        let halfMagnitude = Swift.max(subBucketCountMagnitude, 1) - 1
        let unitMagnitude = 63 - lowestDiscernibleValue.leadingZeroBitCount
        guard unitMagnitude + halfMagnitude <= 61 else { return nil }

        var smallestUntrackableValue = UInt64(1) << (halfMagnitude + 1 + unitMagnitude)
        var bucketCount = 1
        while smallestUntrackableValue <= highestTrackableValue {
            if smallestUntrackableValue > UInt64(Int64.max) / 2 {
                bucketCount += 1
                break
            }
            smallestUntrackableValue <<= 1
            bucketCount += 1
        }
        self.significantDigits = significantDigits
        self.lowestDiscernibleValue = lowestDiscernibleValue
        self.highestTrackableValue = highestTrackableValue
        self.unitMagnitude = unitMagnitude
        self.subBucketHalfCountMagnitude = halfMagnitude
        countsLength = (bucketCount + 1) << halfMagnitude
    }

    private var subBucketHalfCount: Int { 1 << subBucketHalfCountMagnitude }

    /// The index that counts `value` (Java's `countsArrayIndex`).
    func index(of value: UInt64) -> Int {
        let subBucketMask = (UInt64(2 * subBucketHalfCount) - 1) << unitMagnitude
        let leadingZeroCountBase = 64 - unitMagnitude - subBucketHalfCountMagnitude - 1
        let bucket = leadingZeroCountBase - (value | subBucketMask).leadingZeroBitCount
        let subBucket = Int(value >> (bucket + unitMagnitude))
        return ((bucket + 1) << subBucketHalfCountMagnitude) + subBucket - subBucketHalfCount
    }

    /// The lowest value counted at `index` (Java's `valueFromIndex`).
    func lowestValue(at index: Int) -> UInt64 {
        let (bucket, subBucket) = position(of: index)
        return UInt64(subBucket) << (bucket + unitMagnitude)
    }

    /// The highest value counted at `index` (Java's `highestEquivalentValue`), at most
    /// `UInt64.max` for the top indices of the widest layouts.
    func highestValue(at index: Int) -> UInt64 {
        let (bucket, _) = position(of: index)
        let (sum, overflow) = lowestValue(at: index).addingReportingOverflow((UInt64(1) << (bucket + unitMagnitude)) - 1)
        return overflow ? .max : sum
    }

    private func position(of index: Int) -> (bucket: Int, subBucket: Int) {
        let bucket = (index >> subBucketHalfCountMagnitude) - 1
        let subBucket = (index & (subBucketHalfCount - 1)) + subBucketHalfCount
        return bucket < 0 ? (0, subBucket - subBucketHalfCount) : (bucket, subBucket)
    }
}
