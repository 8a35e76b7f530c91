import Foundation
import Yams

extension ScenarioBuilder {
    /// `data: {profile: profiles/prod.json}`: the profile is read and checked now, so lint finds a bad one.
    func data(_ node: Node) -> DataSettings {
        var settings = DataSettings()
        guard let pairs = reader.mapping(node, "data", allowed: ["profile"]) else { return settings }
        for (key, value, _) in pairs where key == "profile" {
            guard let path = reader.string(value, "data.profile") else { continue }
            let before = reader.errors.count
            let url = requireFile(path, value, "data.profile")
            settings.profileFile = url
            guard reader.errors.count == before else { continue }
            do { settings.profile = try ProfileFile.load(url) } catch {
                reader.fail(value, "data.profile", error.message)
            }
        }
        return settings
    }

    func synthesize(_ node: Node, _ key: String) -> SynthesizeSpec? {
        var spec = SynthesizeSpec(profileFile: directory, profile: nil, scale: 1, tables: nil, seed: SynthesizeSpec.defaultSeed)
        if case .scalar(let s) = node, s.string.isEmpty || s.string == "~" { return spec }  // `synthesize:` alone
        guard let pairs = reader.mapping(node, key, allowed: ["scale", "tables", "seed"]) else { return nil }
        for (k, v, _) in pairs {
            let p = "\(key).\(k)"
            switch k {
            case "scale":
                guard let s = reader.scalar(v, p) else { continue }
                if let scale = Double(s), SynthesizeSpec.scaleRange.contains(scale) {
                    spec.scale = scale
                    spec.scaleGiven = true
                } else {
                    reader.fail(v, p, "'\(s)' is not a scale from 0.000001 to 1000 (a fraction of the profile's rows: 0.05)")
                }
            case "tables": spec.tables = reader.stringList(v, p)
            case "seed": spec.seed = reader.int(v, p, min: 0).map { UInt64($0) } ?? spec.seed
            default: break
            }
        }
        return spec
    }

    /// Gives every `synthesize` step the scenario's profile; a step without one, or naming a
    /// table the profile does not have, is invalid.
    func attachProfile(_ data: DataSettings?, to steps: inout [Step]) {
        for index in steps.indices {
            guard case .synthesize(var spec) = steps[index].kind else { continue }
            let key = "steps[\(index + 1)].synthesize"
            guard let data, let file = data.profileFile else {
                reader.fail(at: steps[index].location, key, "a synthesize step needs `data: {profile: FILE}` (made by `rehearse profile`)")
                continue
            }
            spec.profileFile = file
            spec.profile = data.profile
            if let profile = data.profile {
                for name in spec.tables ?? [] where profile.table(named: name) == nil {
                    reader.fail(
                        at: steps[index].location, "\(key).tables",
                        "the profile has no table '\(name)' (it has \(profile.tables.map(\.name).joined(separator: ", ")))")
                }
            }
            steps[index].kind = .synthesize(spec)
        }
    }
}
