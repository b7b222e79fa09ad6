// TrellisMatching: the matching engine (scores with reasons, hard rules, solvers).
// It depends on TrellisCore only and never on the server. The engine itself is issue #3;
// until it lands this module holds no public API.
import TrellisCore
