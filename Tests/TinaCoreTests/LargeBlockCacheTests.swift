import Testing
import TinaCore

@Suite struct LargeBlockCacheTests {
    static let mb = 1 << 20

    @Test func sameSizeComesBackAndOthersDoNot() {
        let cache = LargeBlockCache(capacity: 64 * Self.mb)
        let a = cache.allocate(byteCount: 20 * Self.mb)
        #expect(Int(bitPattern: a) % 64 == 0)
        cache.deallocate(a, byteCount: 20 * Self.mb)
        #expect(cache.heldBytes == 20 * Self.mb)
        let other = cache.allocate(byteCount: 24 * Self.mb)  // another size: a fresh block
        #expect(other != a)
        #expect(cache.heldBytes == 20 * Self.mb)
        let again = cache.allocate(byteCount: 20 * Self.mb - 100)  // rounds to the same pages
        #expect(again == a)
        #expect(cache.heldBytes == 0)
        cache.deallocate(again, byteCount: 20 * Self.mb - 100)
        cache.deallocate(other, byteCount: 24 * Self.mb)
        cache.drain()
        #expect(cache.heldBytes == 0)
    }

    @Test func capacityEvictsOldestAndSmallBlocksAreNotKept() {
        let cache = LargeBlockCache(capacity: 48 * Self.mb)
        let small = cache.allocate(byteCount: 1 << 10)
        cache.deallocate(small, byteCount: 1 << 10)
        #expect(cache.heldBytes == 0)
        let first = cache.allocate(byteCount: 20 * Self.mb), second = cache.allocate(byteCount: 24 * Self.mb)
        let third = cache.allocate(byteCount: 16 * Self.mb)
        cache.deallocate(first, byteCount: 20 * Self.mb)
        cache.deallocate(second, byteCount: 24 * Self.mb)
        #expect(cache.heldBytes == 44 * Self.mb)
        cache.deallocate(third, byteCount: 16 * Self.mb)  // 60 > 48: the oldest (first) goes
        #expect(cache.heldBytes == 40 * Self.mb)
        #expect(cache.allocate(byteCount: 24 * Self.mb) == second)
        let huge = cache.allocate(byteCount: 64 * Self.mb)  // larger than the capacity: never kept
        cache.deallocate(huge, byteCount: 64 * Self.mb)
        #expect(cache.heldBytes == 16 * Self.mb)
        cache.drain()
        #expect(cache.heldBytes == 0)
    }
}
