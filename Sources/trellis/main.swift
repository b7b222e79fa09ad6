import TrellisServer

// Before anything asynchronous runs: Swift concurrency's tasks run on the server's event loops
// instead of a pool of their own (see `TrellisMain.shareEventLoops`).
TrellisMain.shareEventLoops()
try await TrellisMain.run()
