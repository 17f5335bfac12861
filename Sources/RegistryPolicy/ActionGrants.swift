import RegistryCore

/// For each action, the index of the first policy entry that grants it (or `nil`). Built once per engine.
struct ActionGrants: Sendable, Hashable {
    private var firstEntry: (Int32, Int32, Int32, Int32) = (-1, -1, -1, -1)

    /// Records that `entryIndex` grants `actions`, keeping the earliest entry per action.
    mutating func record(_ actions: [RegistryAction], entryIndex: Int) {
        for action in actions where self[action] == nil {
            let value = Int32(truncatingIfNeeded: entryIndex)
            switch action {
            case .read: firstEntry.0 = value
            case .create: firstEntry.1 = value
            case .update: firstEntry.2 = value
            case .delete: firstEntry.3 = value
            }
        }
    }

    /// The first entry granting `action`, if any.
    subscript(action: RegistryAction) -> Int? {
        let value: Int32
        switch action {
        case .read: value = firstEntry.0
        case .create: value = firstEntry.1
        case .update: value = firstEntry.2
        case .delete: value = firstEntry.3
        }
        return value < 0 ? nil : Int(value)
    }

    static func == (lhs: ActionGrants, rhs: ActionGrants) -> Bool {
        RegistryAction.allCases.allSatisfy { lhs[$0] == rhs[$0] }
    }

    func hash(into hasher: inout Hasher) {
        for action in RegistryAction.allCases { hasher.combine(self[action]) }
    }
}

/// A set of actions as a bit mask, for `defaultPolicy` / `anonymousPolicy` / `adminPolicy` checks.
struct ActionMask: Sendable, Hashable {
    private var bits: UInt8 = 0

    init(_ actions: [RegistryAction]) {
        for action in actions { bits |= Self.bit(action) }
    }

    func contains(_ action: RegistryAction) -> Bool { bits & Self.bit(action) != 0 }

    private static func bit(_ action: RegistryAction) -> UInt8 {
        switch action {
        case .read: 1
        case .create: 2
        case .update: 4
        case .delete: 8
        }
    }
}
