// The address a worker gives for its gangs' rendezvous and collectives.
//
// Under mpirun or srun the members of a gang meet at rank 0's address, and
// each binds its collectives to its own. The host name is the natural
// choice, but inside containers and chroots it often does not resolve
// (Apptainer keeps the host's name and the image's /etc/hosts): the gang then
// waits out the store's timeout and fails. A host name that does not resolve
// is replaced by an address of this host's own interfaces.
#pragma once

#include <functional>
#include <string>

namespace popsweep::orchestrator {

struct GangAddress {
  std::string address;
  std::string why_not_the_host_name;  // empty when the host name (or the configured address) serves
};

// POPSWEEP_GANG_ADDRESS when set (`configured`), else `host_name` when
// `resolves` says it resolves, else `interface_address()` (the first
// non-loopback IPv4 address of an interface that is up; empty when none, and
// then 127.0.0.1: every rank of the job is on this one node or nowhere).
GangAddress choose_gang_address(const std::string& host_name, const char* configured,
                                const std::function<bool(const std::string&)>& resolves,
                                const std::function<std::string()>& interface_address);

// choose_gang_address with POPSWEEP_GANG_ADDRESS, getaddrinfo and getifaddrs
// for this host, whose name is `host_name`.
GangAddress gang_address_of_this_host(const std::string& host_name);

}  // namespace popsweep::orchestrator
