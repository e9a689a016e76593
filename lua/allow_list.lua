-- Allow only listed registries and deny the rest. Unqualified names go to the first allowed
-- search registry (flags, then config); with none configured they are denied rather than sent to
-- Docker Hub.

local ALLOWED = {
  ["registry.example.com"] = true,
  ["ghcr.io"] = true,
}

function select(ref, ctx)
  if ref.qualified then
    if ALLOWED[ref.registry] then
      return { { registry = ref.registry, reason = ref.registry .. " is on the allow list" } }
    end
    deny(ref.registry .. " is not an allowed registry")
  end
  local out = {}
  for _, host in ipairs(ctx.registries) do
    if ALLOWED[string.lower(host)] then
      out[#out + 1] = { registry = host, reason = "allowed search registry" }
    end
  end
  if #out == 0 then
    deny("unqualified reference and no allowed search registry; qualify it with an allowed registry")
  end
  return out
end
