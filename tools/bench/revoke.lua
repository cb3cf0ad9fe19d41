-- wrk script: every request revokes the next token id of this thread's share of ids.txt with
-- DELETE /tokens/{id}, authenticated by the superuser key in the KEY environment variable.
local ids = {}
for line in io.lines(os.getenv("IDS")) do ids[#ids + 1] = line end
local threads = tonumber(os.getenv("THREADS"))
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

local next_index
function request()
  if next_index == nil then next_index = tid + 1 end
  local id = ids[next_index]
  next_index = next_index + threads
  if id == nil then id = "exhausted0000000000000" end
  return wrk.format("DELETE", "/tokens/" .. id, { ["Fastly-Key"] = os.getenv("KEY") })
end
