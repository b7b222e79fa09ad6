import Foundation

/// Who reports to whom. Mentorship is not supervisory: a person's managers, all the way up,
/// and their reports, all the way down, form their reporting line.
public struct ReportingLine<ID: Hashable & Sendable>: Sendable {
    public private(set) var managerOf: [ID: ID]

    public init(managerOf: [ID: ID]) {
        self.managerOf = managerOf
    }

    /// The person's managers, nearest first. Stops if the data already holds a cycle.
    public func managers(of person: ID) -> [ID] {
        var chain: [ID] = []
        var seen: Set<ID> = [person]
        var current = person
        while let manager = managerOf[current], seen.insert(manager).inserted {
            chain.append(manager)
            current = manager
        }
        return chain
    }

    /// Whether making `manager` the manager of `person` would close a loop; if so, the loop,
    /// starting and ending with `person` (A → B → A).
    public func cycle(ifManagerOf person: ID, becomes manager: ID) -> [ID]? {
        if manager == person { return [person, person] }
        var path: [ID] = [person, manager]
        var seen: Set<ID> = [manager]
        var current = manager
        while let next = managerOf[current] {
            if next == person { return path + [person] }
            guard seen.insert(next).inserted else { return nil }
            path.append(next)
            current = next
        }
        return nil
    }

    /// Whether `a` and `b` share a reporting line (one manages the other, directly or not).
    public func inSameLine(_ a: ID, _ b: ID) -> Bool {
        managers(of: a).contains(b) || managers(of: b).contains(a)
    }

    public mutating func setManager(_ manager: ID?, of person: ID) {
        managerOf[person] = manager
    }

    /// Every cycle in the graph, each once, in time proportional to the number of people (each
    /// person has at most one manager, so each person is walked once).
    public func cycles() -> [[ID]] {
        var state: [ID: Int] = [:]  // absent: unvisited; -1: done; n ≥ 0: on the current walk at n
        var found: [[ID]] = []
        for start in managerOf.keys where state[start] == nil {
            var walk: [ID] = []
            var current: ID? = start
            while let person = current {
                if let mark = state[person] {
                    if mark >= 0 { found.append(Array(walk[mark...])) }  // closed a loop on this walk
                    break
                }
                state[person] = walk.count
                walk.append(person)
                current = managerOf[person]
            }
            for person in walk { state[person] = -1 }
        }
        return found
    }

    /// The first cycle present in the whole graph, if any.
    public func firstCycle() -> [ID]? {
        for person in managerOf.keys {
            var seen: [ID] = [person]
            var current = person
            while let next = managerOf[current] {
                if next == person { return seen + [person] }
                if seen.contains(next) { break }
                seen.append(next)
                current = next
            }
        }
        return nil
    }
}
