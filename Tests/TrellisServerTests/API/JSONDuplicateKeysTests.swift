import Foundation
import Testing
@testable import TrellisServer

@Suite struct JSONDuplicateKeysTests {
    func first(_ text: String) -> String? { JSONDuplicateKeys.first(in: Data(text.utf8)) }

    @Test func `a key named twice in one object is found, after its escapes are decoded`() {
        #expect(first(#"{"name":"a","name":"b"}"#) == "name")
        #expect(first(#"{"name":"a","n\u0061me":"b"}"#) == "name")
        #expect(first(#"{"weights":{"timeZone":1,"timeZone":-5}}"#) == "timeZone")
        #expect(first(#"{"a":[{"x":1},{"x":2}],"b":{"x":1,"y":{"x":3}}}"#) == nil, "the same key in different objects is fine")
        #expect(first(#"{"a":"b","b":"a"}"#) == nil, "a value is not a key")
        #expect(first(#"{"a":"x\"y","x\"y":1,"a":2}"#) == "a")
        #expect(first(#"{"😀":1,"\ud83d\ude00":2}"#) == "😀", "a surrogate pair is the same key")
        #expect(first(#"{"a\\":1,"a\\":2}"#) == #"a\"#)
        #expect(first(#"[1,2,{"k":[],"k":{}}]"#) == "k")
        #expect(first(#"{"":1,"":2}"#) == "")
        #expect(first(#"{"k":1}"#) == nil && first("[]") == nil && first(#""k""#) == nil)
    }
}
