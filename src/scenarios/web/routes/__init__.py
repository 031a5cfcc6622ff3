"""The app's routes, one router per face: assets, teacher (console, projector), team, debrief, explorer."""
