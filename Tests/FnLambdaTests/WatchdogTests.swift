import Glibc
import Synchronization
import Testing
@testable import FnLambda

@Suite struct WatchdogTests {
    /// A deadline already past when the invocation starts cancels it, and the handler is prepared
    /// before the watchdog can fire (an invocation that reset its own flag could lose that cancel
    /// and spin forever; seen under TSan, where the start of a handler is slow).
    @Test func aDeadlineAlreadyPastStillCancelsTheHandler() {
        let handler = FakeHandler { me, _ in
            let end = Clock.nowMs() + 10_000
            while !me.isCancelled && Clock.nowMs() < end { usleep(1_000) }
            return me.isCancelled ? .failure(HandlerError(errorType: "x", errorMessage: "cancelled"))
                : .success(Array("never cancelled".utf8))
        }
        let driver = InvocationDriver(handler: handler, marginMs: 100)
        let result = driver.invoke(event: [], context: InvocationContext(requestId: "r", deadlineMs: Clock.nowMs() - 1))
        guard case .failure(let error) = result else {
            Issue.record("the handler was not cancelled: \(result)")
            return
        }
        #expect(error.errorType == "Runtime.Timeout")
        #expect(handler.eventLog.first == "prepare" && handler.eventLog.contains("cancel"))
    }

    /// Waits up to `ms` for `condition`.
    private func eventually(_ ms: Int64, _ condition: () -> Bool) -> Bool {
        let end = Clock.nowMs() + ms
        while Clock.nowMs() < end {
            if condition() { return true }
            usleep(5_000)
        }
        return condition()
    }

    @Test func anEarlierDeadlineWakesAWatchdogSleepingUntilALaterOne() {
        let fires = Atomic<Int>(0)
        let watchdog = Watchdog(marginMs: 50) { fires.add(1, ordering: .relaxed) }
        // The thread goes to sleep until this far deadline...
        watchdog.arm(deadlineMs: Clock.nowMs() + 60_000)
        usleep(20_000)
        #expect(watchdog.disarm() == false)
        // ...and must still be woken for a nearer one.
        let armed = Clock.nowMs()
        watchdog.arm(deadlineMs: armed + 250)
        #expect(eventually(2_000) { fires.load(ordering: .relaxed) == 1 })
        #expect(Clock.nowMs() - armed < 1_500)
        #expect(watchdog.disarm() == true)
    }

    @Test func laterDeadlinesAreHonouredWithoutWakingPerInvocation() {
        let fires = Atomic<Int>(0)
        let watchdog = Watchdog(marginMs: 50) { fires.add(1, ordering: .relaxed) }
        // Back-to-back invocations that finish in time: nothing fires.
        for _ in 0..<50 {
            watchdog.arm(deadlineMs: Clock.nowMs() + 200)
            #expect(watchdog.disarm() == false)
        }
        // The last one runs over: it fires, although the thread was last told of an older deadline.
        watchdog.arm(deadlineMs: Clock.nowMs() + 300)
        #expect(eventually(2_000) { fires.load(ordering: .relaxed) == 1 })
        #expect(watchdog.disarm() == true)
        usleep(400_000)
        #expect(fires.load(ordering: .relaxed) == 1)
    }
}
