import Foundation
import NIOCore

/// JSON bodies the server writes outside the REST router.
enum JSONBody {
    /// The contract's error shape: `{"error": {"code": "...", "message": "..."}}`.
    static func error(code: String, message: String) -> ByteBuffer {
        let body = ["error": ["code": code, "message": message]]
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
        return ByteBuffer(bytes: data)
    }
}
