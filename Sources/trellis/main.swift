import TrellisServer

try await TrellisMain.run()
