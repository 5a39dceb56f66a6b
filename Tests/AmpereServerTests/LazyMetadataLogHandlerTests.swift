import AmpereServer
import Logging
import Synchronization
import Testing

/// The server's log lines read as swift-log's `StreamLogHandler` writes them.
@Suite struct LazyMetadataLogHandlerTests {
    final class Lines: TextOutputStream, Sendable {
        private let text = Mutex("")
        func write(_ string: String) { text.withLock { $0 += string } }
        /// Each line without its timestamp (the first word).
        var withoutTimes: [String] {
            text.withLock { $0 }.split(separator: "\n").map { line in
                String(line.drop { $0 != " " })
            }
        }
    }

    @Test func linesMatchTheStreamHandlersWithTheSameMetadata() {
        let lazyLines = Lines()
        let streamLines = Lines()
        var lazy = Logger(label: "ampere.test") { label in
            LazyMetadataLogHandler(label: label, stream: lazyLines, level: .info)
        }
        var stream = Logger(label: "ampere.test") { label in
            var handler = StreamLogHandler(label: label, stream: streamLines, metadataProvider: nil)
            handler.logLevel = .info
            return handler
        }
        lazy[metadataKey: "station"] = "CP1"
        stream[metadataKey: "station"] = "CP1"
        lazy[metadataKey: "hb.request.id"] = "42"
        stream[metadataKey: "hb.request.id"] = "42"
        for logger in [lazy, stream] {
            logger.info("plain")
            logger.warning("with its own", metadata: ["station": "CP2", "error": "boom"])
            logger.debug("below the level")
        }
        var bare = Logger(label: "ampere.bare") { label in
            LazyMetadataLogHandler(label: label, stream: lazyLines, level: .info)
        }
        bare.logLevel = .notice
        bare.info("dropped at the new level")
        bare.notice("kept")

        let lazyOut = lazyLines.withoutTimes
        #expect(lazyOut.count == 3)
        #expect(Array(lazyOut.prefix(2)) == streamLines.withoutTimes)
        #expect(lazyOut[0].hasSuffix("ampere.test: hb.request.id=42 station=CP1 [AmpereServerTests] plain"))
        #expect(lazyOut[1].contains("error=boom hb.request.id=42 station=CP2"))
        #expect(lazyOut[2].hasSuffix("ampere.bare: [AmpereServerTests] kept"))
    }
}
