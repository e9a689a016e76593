-- Rewrite an organisation prefix to an internal registry: every image of the "acme" organisation
-- on Docker Hub (acme/app, docker.io/acme/app) is served by registry.acme.internal under
-- containers/. Everything else follows the default order.

local ORG = "acme/"
local INTERNAL = "registry.acme.internal"
local PREFIX = "containers/"

function select(ref, ctx)
  local on_hub = not ref.qualified or ref.registry == "docker.io"
  if on_hub and string.sub(ref.repository, 1, #ORG) == ORG then
    return { {
      registry = INTERNAL,
      repository = PREFIX .. string.sub(ref.repository, #ORG + 1),
      reason = "acme images live on " .. INTERNAL,
    } }
  end
  if ref.qualified then
    return { { registry = ref.registry, reason = "the reference names its registry" } }
  end
  local out = {}
  for _, host in ipairs(ctx.registries) do
    out[#out + 1] = { registry = host, reason = "search registry" }
  end
  out[#out + 1] = { registry = "docker.io", reason = "last resort" }
  return out
end
