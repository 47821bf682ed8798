# The image a finished job made, by ID (an empty list once it is deleted):
curl -s "http://127.0.0.1:8080/v2/cloudimages?id=$IMAGE_ID" -H "X-Auth-Token: $TOKEN"
# Every active private image, 100 a page: repeat with marker=<the last ID> until a page is empty.
curl -s "http://127.0.0.1:8080/v2/cloudimages?__imagetype=private&status=active&limit=100" -H "X-Auth-Token: $TOKEN"
