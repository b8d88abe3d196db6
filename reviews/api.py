from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.selectors import booking_get_for
from core.api import ErrorSerializer
from reviews.models import Review
from reviews.selectors import review_list_for_trainer
from reviews.services import MAX_COMMENT_LENGTH, review_create, review_reply
from trainers.selectors import trainer_public_qs


class ReviewOutputSerializer(serializers.ModelSerializer):
    """What anyone may read: the client is shown by first name and initial only."""

    booking_id = serializers.IntegerField()
    trainer_id = serializers.IntegerField()
    client_name = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "booking_id",
            "trainer_id",
            "rating",
            "comment",
            "client_name",
            "created_at",
            "reply",
            "replied_at",
        ]

    def get_client_name(self, review) -> str:
        user = review.client
        initial = f" {user.last_name.strip()[0]}." if user.last_name.strip() else ""
        return (user.first_name.strip() or "A client") + initial


class BookingReviewApi(APIView):
    """The review of one session: its client writes it (POST), its client, trainer and staff
    read it (GET); anyone else gets 404, as for the booking itself."""

    class InputSerializer(serializers.Serializer):
        rating = serializers.IntegerField(min_value=1, max_value=5)
        comment = serializers.CharField(
            max_length=MAX_COMMENT_LENGTH, required=False, allow_blank=True, default=""
        )

    @extend_schema(responses=ReviewOutputSerializer)
    def get(self, request, booking_id: int):
        booking = booking_get_for(request.user, booking_id)
        review = get_object_or_404(Review.objects.select_related("client"), booking=booking)
        return Response(ReviewOutputSerializer(review).data)

    @extend_schema(
        request=InputSerializer, responses={201: ReviewOutputSerializer, 409: ErrorSerializer}
    )
    def post(self, request, booking_id: int):
        booking = booking_get_for(request.user, booking_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = review_create(booking=booking, client=request.user, **serializer.validated_data)
        return Response(ReviewOutputSerializer(review).data, status=status.HTTP_201_CREATED)


class BookingReviewReplyApi(APIView):
    """The trainer's one reply to the review of their session."""

    class InputSerializer(serializers.Serializer):
        reply = serializers.CharField(max_length=MAX_COMMENT_LENGTH)

    @extend_schema(
        request=InputSerializer, responses={200: ReviewOutputSerializer, 409: ErrorSerializer}
    )
    def post(self, request, booking_id: int):
        booking = booking_get_for(request.user, booking_id)
        review = get_object_or_404(
            Review.objects.select_related("client", "trainer"), booking=booking
        )
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = review_reply(
            review=review, trainer_user=request.user, reply=serializer.validated_data["reply"]
        )
        return Response(ReviewOutputSerializer(review).data)


class TrainerReviewListApi(GenericAPIView):
    """A trainer's reviews, newest first, without the hidden ones; paginated like every list."""

    permission_classes = [AllowAny]
    serializer_class = ReviewOutputSerializer

    @extend_schema(responses=ReviewOutputSerializer(many=True))
    def get(self, request, trainer_id: int):
        trainer = get_object_or_404(trainer_public_qs(), pk=trainer_id)
        page = self.paginate_queryset(review_list_for_trainer(trainer))
        return self.get_paginated_response(ReviewOutputSerializer(page, many=True).data)
