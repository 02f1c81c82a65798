-- basexx for Lua 5.1-5.4 and LuaJIT: this project's own code (issue 18).
-- SKELETON on the issue-18 branch: the helper writing it replaces this file.
return {}
