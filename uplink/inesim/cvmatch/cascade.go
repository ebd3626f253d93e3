package cvmatch

// DefaultCascade is Debian's (opencv-data) frontal face Haar cascade. It is
// outside the cvmatch build tag so callers can check for it in any build.
const DefaultCascade = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"
