// How per-object kernels spread their work: one thread per object (each walks its segment
// alone: best on CPUs, where objects outnumber cores and a thread's serial walk runs from
// cache), or one team per object (the team's threads share each object's passes: what fills a
// GPU, where objects are far fewer than lanes). The default is chosen per execution space by a
// trait, so each kernel has one source for every space; tests and tuning can force either.
#ifndef BIK_CORE_OBJECT_SCHEDULE_HPP
#define BIK_CORE_OBJECT_SCHEDULE_HPP

#include <Kokkos_Core.hpp>

namespace bik {

struct ObjectSchedule {
  enum class Shape { automatic, thread_per_object, team_per_object };
  Shape shape = Shape::automatic;
  int team_size = 0;  // team_per_object: threads per team; 0 lets Kokkos choose (AUTO)
};

// The default shape of a space: teams where the space cannot run on host memory (a GPU),
// a thread per object elsewhere. Specialise to tune a space differently.
template <class ExecSpace>
struct DefaultObjectShape {
  static constexpr bool team_per_object =
      !Kokkos::SpaceAccessibility<ExecSpace, Kokkos::HostSpace>::accessible;
};

template <class ExecSpace>
bool uses_teams(ObjectSchedule const& schedule) {
  switch (schedule.shape) {
    case ObjectSchedule::Shape::thread_per_object:
      return false;
    case ObjectSchedule::Shape::team_per_object:
      return true;
    default:
      return DefaultObjectShape<ExecSpace>::team_per_object;
  }
}

}  // namespace bik

#endif
