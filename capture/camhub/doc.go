// Package camhub shares one camera between the users of the capture
// process (the face capture, the kiosk preview, the self-test) and opens
// the device only while one of them needs it: the first Acquire opens and
// starts it, the last Release stops and closes it. One pump goroutine
// reads frames and hands each user its own copy, full size or scaled down
// (the preview); Previewer turns a scaled tap into small JPEG frames in
// locked memory.
//
// Every frame a user does not take is released (wiped) by the hub. This
// package must never write a frame or an encoded preview anywhere, nor
// keep one past its user's callback.
package camhub
