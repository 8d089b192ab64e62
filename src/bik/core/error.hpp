// bik::Error: the one exception type bik throws. It is raised on the host, before any kernel
// runs, and its message names the argument, what was expected and what was given.
#ifndef BIK_CORE_ERROR_HPP
#define BIK_CORE_ERROR_HPP

#include <stdexcept>
#include <string>

namespace bik {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws bik::Error("<where>: <message>") when the condition does not hold.
inline void require(bool condition, std::string const& where, std::string const& message) {
  if (!condition) throw Error(where + ": " + message);
}

}  // namespace bik

#endif
