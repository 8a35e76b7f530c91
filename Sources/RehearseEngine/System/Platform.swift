// The engine reads /proc and cgroups, and runs setpriv and prlimit: Linux only, said at
// compile time rather than discovered at run time.
#if !os(Linux)
    #error("rehearse's engine runs on Linux only (it needs /proc, cgroups, setpriv and prlimit)")
#endif
