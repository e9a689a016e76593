-- Route by repository namespace: the first path component picks the registry. Unknown
-- namespaces of unqualified references are denied, so a typo never reaches Docker Hub.

local ROUTES = {
  ["team-a"] = "registry-a.example.internal",
  ["team-b"] = "registry-b.example.internal:5000",
  ["library"] = "docker.io",
}

function select(ref, ctx)
  if ref.qualified then
    return { { registry = ref.registry, reason = "the reference names its registry" } }
  end
  local namespace = string.match(ref.repository, "^([^/]+)/")
  local target = namespace and ROUTES[namespace]
  if not target then
    deny("no route for namespace " .. tostring(namespace or ref.repository))
  end
  return { { registry = target, reason = "namespace " .. namespace .. " lives on " .. target } }
end
