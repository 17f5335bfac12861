import RegistryCEL

extension ConfigMapper {
    /// `bearer.oidc[].claimMapping`: Zot's CEL `username`, `groups`, `variables: [{name, expression}]` and
    /// `validations: [{expression, message}]`. Every expression is compiled here, so one outside the supported subset
    /// is a config error naming the construct (it is never accepted and ignored).
    func mapBearerClaimMapping(_ reader: ObjectReader) -> ClaimMapping {
        var mapping = ClaimMapping()
        for key in ["username", "groups"] {
            guard let node = reader.node(key), let text = collector.nonEmptyString(node) else { continue }
            compile(text, at: node.path)
            if key == "username" { mapping.username = text } else { mapping.groups = text }
        }
        if let node = reader.node("variables") {
            mapping.variables = entries(node).compactMap { entry in
                guard let object = ObjectReader(entry, known: ["name", "expression"], collector: collector) else { return nil }
                guard let nameNode = object.node("name"), let name = collector.nonEmptyString(nameNode) else {
                    collector.error(object.path(of: "name"), "is required")
                    return nil
                }
                if CELExpression.plainClaimName(name) == nil {
                    collector.error(nameNode.path, "\(nameNode.quoted) is not a variable name (letters, digits, _ and -)")
                }
                guard let expressionNode = object.node("expression"), let expression = collector.nonEmptyString(expressionNode) else {
                    collector.error(object.path(of: "expression"), "is required")
                    return nil
                }
                compile(expression, at: expressionNode.path)
                return ClaimVariable(name: name, expression: expression)
            }
        }
        if let node = reader.node("validations") {
            mapping.validations = entries(node).compactMap { entry in
                guard let object = ObjectReader(entry, known: ["expression", "message"], collector: collector) else { return nil }
                guard let expressionNode = object.node("expression"), let expression = collector.nonEmptyString(expressionNode) else {
                    collector.error(object.path(of: "expression"), "is required")
                    return nil
                }
                compile(expression, at: expressionNode.path)
                let message = object.node("message").flatMap(collector.string) ?? ""
                return ClaimValidation(expression: expression, message: message)
            }
        }
        return mapping
    }

    private func entries(_ node: ConfigNode) -> [ConfigNode] {
        guard case .array(let list) = node.value else {
            collector.error(node.path, "must be a list")
            return []
        }
        return list
    }

    private func compile(_ text: String, at path: ConfigPath) {
        do throws(CELError) {
            _ = try CELExpression(claimMapping: text)
        } catch {
            collector.error(path, "\(error)")
        }
    }
}
